--[[
  Settles a batch of outcomes of one shape (a worker's tasks of one kind: SUCCESS of one task at
  one attempt): settleJobs-12.lua for updates that move records whose STARTED is implied
  (includes/impliedRecord) to one terminal state, acknowledging their deliveries. The general path
  costs much more for them (a table per update, the batch's bookkeeping), so this cuts
  the packed updates, reads the run hash and the leases once, writes each record with SET NX and
  acknowledges (the messages end, but their bodies stay for the finished records: see
  includes/taskLists), replying as the general path would. If a run has no implied start, a lease
  is no longer held (fencing: refused there) or a stored record is in the way (a progress report),
  it goes on with the general path (includes/settleGeneral) in the same call, which takes the
  records written here as applied by their update tokens.

  KEYS[1..12] as settleJobs-12.lua: leases, seq, revoked, body, meta, dlv, routes, run, the finished
          lists (SUCCESS, FAILURE, REVOKED), replay
  ARGV as settleJobs-12.lua's, for what the caller (broker-scripts.ts) checked: two updates or more,
  all of one shape with a task, an attempt, a terminal state and STARTED among its allowed sources;
  no reply kept ('0'), no next message. So: [3..4] list bounds; [5..9] record prefix, channel
  prefix, TTL, built-ins, batch token; [10] '1'; [11] the shape; [12] n; [13] the updates packed;
  [14] '0'; then per update its lease member and '0'.
  Returns applyUpdates-9.lua's reply: { now, 3 per update } here.
  Events: each record on its task's event channel, where someone listens (includes/watchedChannels).
]]
--- @include "includes/nowMs"
--- @include "includes/bulk"
--- @include "includes/leaseJobId"
--- @include "includes/recordValue"
--- @include "includes/ackLeases"
--- @include "includes/watchedChannels"
--- @include "includes/taskLists"

local leasesKey, bodyKey, metaKey, dlvKey, runKey = KEYS[1], KEYS[4], KEYS[5], KEYS[6], KEYS[8]
local recordPrefix, channelPrefix, ttl, batchToken = ARGV[5], ARGV[6], ARGV[7], ARGV[9]
local shape, n, packed = ARGV[11], tonumber(ARGV[12]), ARGV[13]
local lists = taskLists(KEYS[9], KEYS[10], KEYS[11], ARGV[3], ARGV[4], ttl, bodyKey, metaKey)

local now = nowMs()
local taskJson, state, attempt = string.match(shape, '^([^\n]+)\n([^\n]+)\n(%d+)\n')
local fast = taskJson ~= nil
local members, ids, idJsons, payloads = {}, {}, {}, {}
local find, sub, pos = string.find, string.sub, 1
for u = 1, fast and n or 0 do
  -- Packed as "<id JSON>\n1\n<payload>\n" (includes/packedFields: one shape, so its index is 1).
  -- Inline, not a function: a call per update shows in the work per task. An id with escapes is
  -- left to the general path, which decodes it (idFromJson there).
  local idEnd = find(packed, '\n', pos, true)
  local payloadEnd = find(packed, '\n', idEnd + 3, true)
  local idJson = sub(packed, pos, idEnd - 1)
  if find(idJson, '\\', 1, true) then
    fast = false
    break
  end
  members[u], idJsons[u], ids[u] = ARGV[13 + 2 * u], idJson, sub(idJson, 2, -2)
  payloads[u] = sub(packed, idEnd + 3, payloadEnd - 1)
  pos = payloadEnd + 1
end
-- Every run's STARTED implied: its start (and worker) is filed (a stored record is found by SET NX below).
local starts = fast and bulkQuery('HMGET', runKey, ids)
for u = 1, starts and n or 0 do
  if not starts[u] then
    starts = false
    break
  end
end
-- Every delivery still holding its lease (fencing): else the general path refuses those that lost
-- it, one by one. Read before any write, and reused for the ack.
local expiries = starts and bulkQuery('ZMSCORE', leasesKey, members)
for u = 1, expiries and n or 0 do
  local expiry = expiries[u]
  if not expiry or tonumber(expiry) <= now then
    starts = false
    break
  end
end
if starts then
  -- Each record carries its run's start, its timeline's first line (includes/timelines); the
  -- message stays where it is, in the body hash, for the record (includes/taskLists).
  local nowDigits, taskLength, tokenPrefix = digits(now), digits(#taskJson), batchToken .. '.'
  local listedAt = KEPT .. nowDigits .. ' ' -- the bodies are kept (includes/taskLists)
  -- An implied STARTED is seq 2, so these updates' are 3; update u's token is "<batch token>.<u>".
  local written, values, heads, listed, finished, stored = {}, {}, {}, {}, {}, false
  for u = 1, n do
    local start = starts[u]
    -- The run's worker, filed after its start (see runStart in includes/impliedRecord).
    local cut = find(start, ',', 1, true)
    local payload = cut and sub(start, cut) .. payloads[u] or payloads[u]
    local value, headLength = recordValue(state, '3', attempt, nowDigits, tokenPrefix, digits(u), taskLength, taskJson, idJsons[u], payload)
    if redis.call('SET', recordPrefix .. ids[u], value .. '\nR' .. start, 'PX', ttl, 'NX') then
      written[#written + 1] = ids[u]
      finished[#written] = members[u]
      listed[#written] = listedAt .. ids[u]
      values[#written] = value
      heads[#written] = headLength
    else
      stored = true -- a stored record wins over the implied STARTED: the general path deals with it
    end
  end
  local heard = watchedChannels(channelPrefix, written)
  for w = 1, #written do
    if heard == nil or heard[w] then redis.call('PUBLISH', channelPrefix .. written[w], sub(values[w], heads[w] + 1)) end
  end
  if #written > 0 then
    addToTaskList(lists, state, listed, now)
    -- Settled here, bodies kept, whatever follows: the general path finds these leases gone and
    -- these records applied (by their tokens), and leaves them.
    finishLeases(leasesKey, metaKey, dlvKey, runKey, finished, written)
  end
  if not stored then
    local reply = { now }
    for u = 1, n do reply[u + 1] = 3 end
    return reply
  end
end

--- @include "includes/settleGeneral"

local k = {
  leases = leasesKey, seq = KEYS[2], revoked = KEYS[3], body = bodyKey, meta = metaKey, dlv = dlvKey,
  routes = KEYS[7], run = runKey, replay = KEYS[12], lists = lists,
}
return settleGeneral(k, now)
