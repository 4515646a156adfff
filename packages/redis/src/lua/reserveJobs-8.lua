--[[
  Reserves up to `max` messages for one worker: from the queues in order of preference, within a
  queue highest priority first then oldest, only for the tasks asked for, within their rate limits.
  Each is leased until now + visibility timeout; its delivery count is the stored one (deliveries
  that ended unacknowledged) plus this one. Before
  taking, it settles the acks this process queued (as ackJobs), reclaims expired leases and
  promotes the due delayed messages of these queues. Raw messages that foreign producers pushed to
  these queues' inboxes are leased too and returned apart, for the caller to validate (and admit
  with requeueJob, or dead-letter). Per-message work is done with one multi-element command per
  structure.

  KEYS[1] leases   zset lease member "<token>:<id>" -> expiry ms
  KEYS[2] tokens   counter for lease tokens
  KEYS[3] revoked  zset id -> revoke time
  KEYS[4] body     hash id -> raw
  KEYS[5] meta     hash id -> routing meta (includes/jobMeta)
  KEYS[6] dlv      hash id -> deliveries that ended unacknowledged (absent: none)
  KEYS[7] routes   hash ready or inbox key -> JSON [delayed key, queue]
  KEYS[8] run      hash id -> start of a run whose STARTED is implied
  ARGV[1] wake channel prefix
  ARGV[2] visibility timeout ms
  ARGV[3] max
  ARGV[4] number of acks, then their lease members
          then the number of rate limits, then 3 per limit: rate key, limit, interval ms
          then the number of queues, then per queue: queue, delayed key, inbox key, inbox route
          JSON, number of ready keys, then 2 per ready key: ready key, rate limit index (0: none)
          then 0, or 1 to store STARTED for every message taken, followed by the record key
          prefix, event channel prefix, record TTL, built-in states and batch token (as
          applyUpdates-4.lua's ARGV[1..5]) and STARTED's allowed-source list
  Returns { nextDue, nRaw, token, started, (member, queue, raw) x nRaw, (id, raw, deliveries) x taken }
          started: 0, or for STARTED the applyUpdates-4.lua reply of one update per message taken,
          in order (the attempt is the message's, the task the record's), except that an implied
          STARTED (see includes/impliedRecord) is seq -2 with no extras: its task and attempt are
          the message's, its updatedAt `now`. { now } alone: every STARTED taken was implied (the
          usual case), so no -2 is sent per message.
          nextDue: -2 if more may be reservable now (the take stopped at `max`); else nothing is
          left to take now, and it is the ms until something may become reservable (a delayed
          message, a lease expiry, a rate window), or -1 if nothing is pending. A worker that took
          the last ready message thus knows, without a second call, that it can sleep until a wake-up.
          Every message taken is leased as "<token>:<id>" (0 if none is taken).
]]
--- @include "includes/nowMs"
--- @include "includes/bulk"
--- @include "includes/leaseJobId"
--- @include "includes/jobMeta"
--- @include "includes/ackLeases"
--- @include "includes/reclaimExpired"
--- @include "includes/promoteDue"
--- @include "includes/records"

local k = {
  leases = KEYS[1], tokens = KEYS[2], revoked = KEYS[3], body = KEYS[4],
  meta = KEYS[5], dlv = KEYS[6], routes = KEYS[7], run = KEYS[8],
}
local wakePrefix = ARGV[1]
local max = tonumber(ARGV[3])
local now = nowMs()
local leaseUntil = digits(now + tonumber(ARGV[2]))

local cursor = 3
local function nextArg()
  cursor = cursor + 1
  return ARGV[cursor]
end
local acks = {}
for j = 1, tonumber(nextArg()) do acks[j] = nextArg() end
local rates = {}
for r = 1, tonumber(nextArg()) do
  -- One statement per argument: Lua does not promise the evaluation order inside a constructor.
  local key = nextArg()
  local limit = tonumber(nextArg())
  local interval = tonumber(nextArg())
  rates[r] = { key = key, limit = limit, interval = interval }
end
local queues = {}
for q = 1, tonumber(nextArg()) do
  local name = nextArg()
  local delayed = nextArg()
  local inbox = nextArg()
  local inboxRoute = nextArg()
  local queue = { name = name, delayed = delayed, inbox = inbox, inboxRoute = inboxRoute, ready = {}, rate = {} }
  for j = 1, tonumber(nextArg()) do
    queue.ready[j] = nextArg()
    queue.rate[j] = tonumber(nextArg())
  end
  queues[q] = queue
end
local start = nil
if nextArg() == '1' then
  local prefix, channels, ttl, builtins, batch = nextArg(), nextArg(), nextArg(), nextArg(), nextArg()
  start = { batch = newRecordBatch(prefix, channels, ttl, builtins, batch, now, k.body, k.run), sources = nextArg() }
end

ackLeases(k.leases, k.body, k.meta, k.dlv, k.run, acks)
reclaimExpired(k, wakePrefix, now)
for _, queue in ipairs(queues) do
  if promoteDue(k, queue.delayed, now) > 0 then redis.call('PUBLISH', wakePrefix .. queue.name, '') end
end

-- Sliding windows: forget starts older than the interval; what is left is this window's count.
for _, rate in ipairs(rates) do
  redis.call('ZREMRANGEBYSCORE', rate.key, '-inf', now - rate.interval)
  rate.used = redis.call('ZCARD', rate.key)
  rate.cap = rate.limit - rate.used
end

-- Raw inbox messages: leased like deliveries, so a worker dying while validating loses nothing.
local raws = {}
for _, queue in ipairs(queues) do
  local items = redis.call('LPOP', queue.inbox, max)
  if items then
    redis.call('HSET', k.routes, queue.inbox, queue.inboxRoute)
    local last = redis.call('INCRBY', k.tokens, #items)
    for j, raw in ipairs(items) do
      local token = digits(last - #items + j)
      local id = 'raw-' .. token
      local member = token .. ':' .. id
      redis.call('HSET', k.body, id, raw)
      redis.call('HSET', k.meta, id, 'inbox ' .. queue.inbox)
      redis.call('ZADD', k.leases, leaseUntil, member)
      raws[#raws + 1] = member
      raws[#raws + 1] = queue.name
      raws[#raws + 1] = raw
    end
  end
end

-- Whether the queue's j-th ready zset may give a message now (its rate window has room).
local function takeable(queue, j)
  local r = queue.rate[j]
  return r == 0 or rates[r].cap > 0
end

-- Take: a k-way merge of the queue's ready zsets (one per task) by score, reading each in pages.
-- Returns whether the queue was drained: nothing takeable left in it.
local candidates, candidateRate = {}, {}

-- Take from a queue with one ready zset: no merge, so no scores (a reply's doubles cost Redis a
-- printf each, and Lua a strtod).
local function takeSingle(queue)
  local key, r = queue.ready[1], queue.rate[1]
  if not takeable(queue, 1) then return true end
  local want = max - #candidates
  if r > 0 and rates[r].cap < want then want = rates[r].cap end
  -- One more than wanted: something left over tells that the zset is not drained.
  local page = redis.call('ZRANGE', key, 0, want)
  local n = math.min(want, #page)
  local base = #candidates
  for j = 1, n do
    candidates[base + j] = page[j]
    candidateRate[base + j] = r
  end
  if n > 0 then redis.call('ZREMRANGEBYRANK', key, 0, n - 1) end
  if r > 0 then rates[r].cap = rates[r].cap - n end
  -- Drained unless something is left that the rate limit (if any) would still let through.
  return #page <= n or (r > 0 and rates[r].cap <= 0)
end

local function takeFrom(queue)
  local keys = queue.ready
  if #keys == 1 then return takeSingle(queue) end
  local pages, pos, popped, done = {}, {}, {}, {}
  for j = 1, #keys do
    pages[j], pos[j], popped[j], done[j] = {}, 1, 0, false
  end
  while #candidates < max do
    local best, bestScore = nil, nil
    for j = 1, #keys do
      if takeable(queue, j) then
        if pos[j] > #pages[j] and not done[j] then
          -- One more than wanted: a page with something left over tells that the zset is not drained.
          local want = max - #candidates + 1
          pages[j] = redis.call('ZRANGE', keys[j], popped[j], popped[j] + want - 1, 'WITHSCORES')
          pos[j] = 1
          done[j] = #pages[j] < want * 2
        end
        if pos[j] <= #pages[j] then
          local score = tonumber(pages[j][pos[j] + 1])
          if best == nil or score < bestScore then best, bestScore = j, score end
        end
      end
    end
    if best == nil then break end
    candidates[#candidates + 1] = pages[best][pos[best]]
    pos[best] = pos[best] + 2
    popped[best] = popped[best] + 1
    local r = queue.rate[best]
    candidateRate[#candidates] = r
    if r > 0 then rates[r].cap = rates[r].cap - 1 end
  end
  local drained = true
  for j = 1, #keys do
    -- Stopped at `max` with more in the page read (pages hold one more than wanted, so this is
    -- the usual answer), or perhaps past it (a full page all taken: checked, never assumed)?
    if drained and takeable(queue, j) and (pos[j] <= #pages[j] or (not done[j] and redis.call('ZCARD', keys[j]) > popped[j])) then
      drained = false
    end
    if popped[j] > 0 then redis.call('ZREMRANGEBYRANK', keys[j], 0, popped[j] - 1) end
  end
  return drained
end

-- Whether a queue not looked at (`max` was reached before it) holds a takeable message.
local function anyReady(queue)
  for j = 1, #queue.ready do
    if takeable(queue, j) and redis.call('ZCARD', queue.ready[j]) > 0 then return true end
  end
  return false
end

-- Drained: nothing is left to take now, so the caller need not ask again before a wake-up or
-- nextDue (raw inbox messages are validated first, so they are never "nothing left").
local drained = #raws == 0
for _, queue in ipairs(queues) do
  if #candidates < max then
    if not takeFrom(queue) then drained = false end
  elseif drained and anyReady(queue) then
    drained = false
  end
end

-- Deliver the candidates that are neither revoked nor bodiless (a stale copy of a settled id).
local taken, takenRate = {}, {}
if #candidates > 0 then
  local revoked = bulkQueryUnlessAbsent('ZMSCORE', k.revoked, candidates)
  local bodies = bulkQuery('HMGET', k.body, candidates)
  local counts = bulkQueryUnlessAbsent('HMGET', k.dlv, candidates)
  local dropped, n = {}, 0
  for j = 1, #candidates do
    local id = candidates[j]
    if revoked[j] then
      dropped[#dropped + 1] = id
    elseif bodies[j] then
      -- Not written back: the stored count is of the deliveries that ended unacknowledged, and
      -- the one starting now is counted when its lease expires (includes/reclaimExpired).
      local deliveries = counts[j] and digits(tonumber(counts[j]) + 1) or '1'
      taken[n * 3 + 1] = id
      taken[n * 3 + 2] = bodies[j]
      taken[n * 3 + 3] = deliveries
      n = n + 1
      takenRate[n] = candidateRate[j]
    end
  end
  forgetJobs(k.body, k.meta, k.dlv, k.run, dropped)
end

local count = #takenRate
local nextDue = -1
local token = 0
if count > 0 then
  -- One token for the call: the ids taken are distinct, so "<token>:<id>" still names every
  -- delivery apart, with one number formatted per call instead of one per message.
  token = redis.call('INCRBY', k.tokens, 1)
  local tokenDigits = digits(token)
  local leaseArgs = { '+inf', LEASES_ENCODING_MEMBER }
  local rateArgs = {}
  local nowDigits = digits(now)
  for j = 1, count do
    local member = tokenDigits .. ':' .. taken[j * 3 - 2]
    leaseArgs[j * 2 + 1] = leaseUntil
    leaseArgs[j * 2 + 2] = member
    local r = takenRate[j]
    if r > 0 then
      local args = rateArgs[r]
      if not args then
        args = {}
        rateArgs[r] = args
      end
      -- A rate window counts starts: one member per delivery.
      args[#args + 1] = nowDigits
      args[#args + 1] = member
    end
  end
  bulkCall('ZADD', k.leases, leaseArgs)
  for r, args in pairs(rateArgs) do
    bulkCall('ZADD', rates[r].key, args)
    redis.call('PEXPIRE', rates[r].key, rates[r].interval)
    rates[r].used = rates[r].used + #args / 2
  end
end
if not drained then
  nextDue = -2
else
  local function consider(ms)
    if ms < 0 then ms = 0 end
    if nextDue < 0 or ms < nextDue then nextDue = ms end
  end
  for _, queue in ipairs(queues) do
    local head = redis.call('ZRANGE', queue.delayed, 0, 0, 'WITHSCORES')
    if head[2] then consider(tonumber(head[2]) - now) end
    -- A rate-limited task with work waiting: when does its window let one more through?
    for j = 1, #queue.ready do
      local r = queue.rate[j]
      if r > 0 and rates[r].cap <= 0 and redis.call('ZCARD', queue.ready[j]) > 0 then
        local rate = rates[r]
        local oldest = redis.call('ZRANGE', rate.key, rate.used - rate.limit, rate.used - rate.limit, 'WITHSCORES')
        if oldest[2] then consider(tonumber(oldest[2]) + rate.interval - now) end
      end
    end
  end
  local lease = redis.call('ZRANGE', k.leases, '-inf', '(inf', 'BYSCORE', 'LIMIT', 0, 1, 'WITHSCORES')
  if lease[2] then consider(tonumber(lease[2]) - now) end
end

-- STARTED for each message taken, in the same step: no moment where a task is leased but its
-- record does not say so, and no round trip per task for it. A message without a record (the
-- usual case: its PENDING was implied) gets an implied STARTED: its start time in `{p}:run`, no
-- record written, its event published only if someone listens. One with a record, or with an
-- implied STARTED already (a redelivery after its lease expired), gets a stored STARTED.
local started = 0
if start and count > 0 then
  local b = start.batch
  local ids, keys = {}, {}
  for j = 1, count do
    ids[j] = taken[j * 3 - 2]
    keys[j] = b.prefix .. ids[j]
  end
  local records = bulkGet(keys)
  local runKey = k.run
  local starts = bulkQuery('HMGET', runKey, ids)
  local nowDigits = digits(now)
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
      runArgs[c * 2 + 2] = nowDigits
    else
      local idJson = jsonString(id)
      -- The attempt is the message's (a retry's run is the next one); '' keeps the record's if unreadable.
      local f = impliedFields(body, starts[j]) or false
      addRecordUpdate(b, id, idJson, '', 'STARTED', f and f.attempt or '', start.sources, '', f)
    end
  end
  bulkCall('HSET', runKey, runArgs)
  local heard = watchedChannels(b.channels, impliedIds)
  for j = 1, count do
    local c = implied[j]
    if c and (heard == nil or heard[c]) then
      local f = impliedFields(taken[j * 3 - 1], nowDigits)
      if f then redis.call('PUBLISH', b.channels .. ids[j], impliedJson(jsonString(ids[j]), f)) end
    end
  end
  -- Reads these updates' records again, with what their messages imply: a second MGET, but only
  -- for the few messages that have a record or an implied STARTED already (retries, redeliveries).
  loadRecords(b)
  for u = 1, #b.updates do applyRecord(b, u) end
  -- applyUpdates-4.lua's reply in the order taken, an implied STARTED as seq -2 with no extras
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
end

local out = { nextDue, #raws / 3, token, started }
for j = 1, #raws do out[4 + j] = raws[j] end
local at = 4 + #raws
for j = 1, #taken do out[at + j] = taken[j] end
return out
