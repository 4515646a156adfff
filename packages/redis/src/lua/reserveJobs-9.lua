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
  KEYS[8] run      hash id -> start (and worker) of a run whose STARTED is implied
  KEYS[9] paused   set of paused queues: they give nothing (checked here, so no pause races a worker)
  ARGV[1] wake channel prefix
  ARGV[2] visibility timeout ms
  ARGV[3] max
  ARGV[4] number of acks, then their lease members
          then the number of rate limits, then 3 per limit: rate key, limit, interval ms (0: a
          cap on this call's starts alone, counted in no window here)
          then the number of queues, then per queue: queue, delayed key, inbox key, inbox route
          JSON, number of ready keys, then 2 per ready key: ready key, rate limit index (0: none)
          then 0, or 1 to store STARTED for every message taken, followed by the record key
          prefix, event channel prefix, record TTL, built-in states and batch token (as
          applyUpdates-9.lua's ARGV[3..7]), STARTED's allowed-source list and the reserving
          worker as the record's JSON fragment (',"worker":"<id>"', or '' for none): stored with
          each STARTED, in the record or in `{p}:run` after the start (includes/impliedRecord)
  Returns { nextDue, nRaw, token, started, (member, queue, raw) x nRaw, (id, raw, deliveries) x taken }
          started: 0, or for STARTED the applyUpdates-9.lua reply of one update per message taken,
          in order (the attempt is the message's, the task the record's), except that an implied
          STARTED (see includes/impliedRecord) is seq -2 with no extras: its task and attempt are
          the message's, its updatedAt `now`. { now } alone: every STARTED taken was implied (the
          usual case), so no -2 is sent per message.
          nextDue: -2 if more may be reservable now (the take stopped at `max`); else nothing is
          left to take now, and it is the ms until something may become reservable (a delayed
          message, a lease expiry, a rate window), or -1 if nothing is pending. A worker that took
          the last ready message thus knows, without a second call, that it can sleep until a wake-up.
          Every message taken is leased as "<token>:<id>" (0 if none is taken).
  Events: a wake-up on the wake channel of each queue that got ready work back (an expired lease,
          a due delayed message); for STARTED, each record on its task's event channel where
          someone listens.
]]
--- @include "includes/nowMs"
--- @include "includes/bulk"
--- @include "includes/leaseJobId"
--- @include "includes/jobMeta"
--- @include "includes/ackLeases"
--- @include "includes/reclaimExpired"
--- @include "includes/promoteDue"
--- @include "includes/records"
--- @include "includes/reserveArgs"
--- @include "includes/takeInbox"
--- @include "includes/takeReady"
--- @include "includes/startOnReserve"

local k = {
  leases = KEYS[1], tokens = KEYS[2], revoked = KEYS[3], body = KEYS[4],
  meta = KEYS[5], dlv = KEYS[6], routes = KEYS[7], run = KEYS[8], paused = KEYS[9],
}
local wakePrefix = ARGV[1]
local max = tonumber(ARGV[3])
local now = nowMs()
local leaseUntil = digits(now + tonumber(ARGV[2]))
local acks, rates, queues, start = readReserveArgs(k, now)
-- A paused queue is left out of this call altogether (its delayed messages too: promoted on resume).
if redis.call('SCARD', k.paused) > 0 then
  local open = {}
  for _, queue in ipairs(queues) do
    if redis.call('SISMEMBER', k.paused, queue.name) == 0 then open[#open + 1] = queue end
  end
  queues = open
end

ackLeases(k.leases, k.body, k.meta, k.dlv, k.run, acks, now)
reclaimExpired(k, wakePrefix, now)
for _, queue in ipairs(queues) do
  if promoteDue(k, queue.delayed, now) > 0 then redis.call('PUBLISH', wakePrefix .. queue.name, '') end
end

-- Sliding windows: forget starts older than the interval; what is left is this window's count.
-- An interval of 0 is a cap alone: a partition's share of starts its home partition's window
-- granted (see internal/partition-rates.ts), with no window here.
for _, rate in ipairs(rates) do
  if rate.interval > 0 then
    redis.call('ZREMRANGEBYSCORE', rate.key, '-inf', now - rate.interval)
    rate.used = redis.call('ZCARD', rate.key)
  else
    rate.used = 0
  end
  rate.cap = rate.limit - rate.used
end

local raws = takeInboxes(k, queues, max, leaseUntil)
-- Raw inbox messages are validated first, so they are never "nothing left".
local t = { max = max, rates = rates, candidates = {}, candidateRate = {} }
local drained = takeReady(t, queues, #raws == 0)
local candidates, candidateRate = t.candidates, t.candidateRate

-- Deliver the candidates that are neither revoked nor bodiless (a stale copy of a settled id). A
-- ready entry is routing: its message is waiting. Its meta field is not read again here (a read
-- per message taken): a ready entry outlives its message's meta only if the message was published
-- again while it ran, and a stale copy of a finished task, its body kept for its record (see
-- includes/taskLists), has its STARTED refused by that record.
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
    if r > 0 and rates[r].interval > 0 then
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
local nextDue = drained and nextDueOf(k, queues, rates, now) or -2
local started = (start and count > 0) and startTaken(k, start, taken, count, now) or 0

local out = { nextDue, #raws / 3, token, started }
for j = 1, #raws do out[4 + j] = raws[j] end
local at = 4 + #raws
for j = 1, #taken do out[at + j] = taken[j] end
return out
