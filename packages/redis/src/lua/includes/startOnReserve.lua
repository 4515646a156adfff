-- STARTED for each message taken by a reserve, in the same step: no moment where a task is leased
-- but its record does not say so, and no round trip per task for it. A message without a record (the
-- usual case: its PENDING was implied) gets an implied STARTED: its start time in `{p}:run`, no
-- record written, its event published only if someone listens. One with a record, or with an
-- implied STARTED already (a redelivery after its lease expired), gets a stored STARTED.
-- start: the reserve's { batch, sources } (see includes/reserveArgs); taken: the (id, raw,
-- deliveries) triples taken, count of them. Returns the reply's `started` (see reserveJobs-9.lua).
local function startTaken(k, start, taken, count, now)
  local started
  local b = start.batch
  local ids, keys = {}, {}
  for j = 1, count do
    ids[j] = taken[j * 3 - 2]
    keys[j] = b.prefix .. ids[j]
  end
  local records = bulkGet(keys)
  local starts = bulkQuery('HMGET', k.run, ids)
  local nowDigits = digits(now)
  -- The `{p}:run` value: the start, and the worker (see runStart in includes/impliedRecord).
  local startValue = nowDigits .. start.worker
  local runArgs = { ENCODING_FIELD, ENCODING_VALUE } -- see includes/bulk
  -- implied[j]: for a message whose STARTED is implied, its index in impliedIds.
  local implied, impliedIds = {}, {}
  for j = 1, count do
    local id, body = ids[j], taken[j * 3 - 1]
    if not records[j] and not starts[j] then
      local c = #impliedIds + 1
      implied[j] = c
      impliedIds[c] = id
      runArgs[c * 2 + 1] = id
      runArgs[c * 2 + 2] = startValue
    else
      local idJson = jsonString(id)
      -- The attempt is the message's (a retry's run is the next one); '' keeps the record's if unreadable.
      local f = impliedFields(body, starts[j]) or false
      addRecordUpdate(b, id, idJson, '', 'STARTED', f and f.attempt or '', start.sources, start.worker, f)
    end
  end
  bulkCall('HSET', k.run, runArgs)
  local heard = watchedChannels(b.channels, impliedIds)
  for j = 1, count do
    local c = implied[j]
    if c and (heard == nil or heard[c]) then
      local f = impliedFields(taken[j * 3 - 1], startValue)
      if f then redis.call('PUBLISH', b.channels .. ids[j], impliedJson(jsonString(ids[j]), f)) end
    end
  end
  -- Reads these updates' records again, with what their messages imply: a second MGET, but only
  -- for the few messages that have a record or an implied STARTED already (retries, redeliveries).
  loadRecords(b)
  for u = 1, #b.updates do applyRecord(b, u) end
  -- applyUpdates-9.lua's reply in the order taken, an implied STARTED as seq -2 with no extras
  -- (its task and attempt are the message's, its updatedAt this call's).
  local general = recordReply(b)
  started = { now }
  -- Every STARTED implied (the usual case): { now } alone says so, with no -2 per message.
  if #b.updates > 0 then
    local u = 0
    for j = 1, count do
      if implied[j] then
        started[j + 1] = -2
      else
        u = u + 1
        started[j + 1] = general[u + 1]
      end
    end
    for _, v in ipairs(b.extras) do started[#started + 1] = v end
  end
  return started
end
