--[[
  Puts a dead letter back on its queue as a new first delivery (at the back of its priority) of a
  new attempt. Its FAILURE record, if it has one, goes back to PENDING in the same step (seq + 1,
  attempt + 1, an event published), and the message carries that attempt: otherwise the requeued
  message's STARTED would be refused and it would be acknowledged without running. A raw inbox
  message goes back to its inbox, to be validated again.

  KEYS[1] dead     zset id -> time it died       KEYS[2] seq     arrival counter
  KEYS[3] revoked  zset id -> revoke time        KEYS[4] body    hash id -> raw
  KEYS[5] meta     hash id -> routing meta       KEYS[6] dlv     hash id -> deliveries
  KEYS[7] routes   hash key -> JSON [delayed key, queue]
  KEYS[8] reasons  hash id -> why it died
  KEYS[9] run      hash id -> start of a run whose STARTED is implied
  KEYS[10] record  the id's task record (rec:<id>)
  KEYS[11] failed  the list of FAILURE tasks (includes/taskLists)
  KEYS[12] timeline the id's timeline string (tl:<id>, see includes/timelines)
  ARGV[1] wake channel prefix
  ARGV[2] priority unit
  ARGV[3] dead letter id
  ARGV[4] record TTL ms
  ARGV[5] record event channel of the id
  Returns 1 if the id was a dead letter, else 0.
  Events: a wake-up on the queue's wake channel; the reopened record on its event channel.
]]
--- @include "includes/nowMs"
--- @include "includes/bulk"
--- @include "includes/jobMeta"
--- @include "includes/recordValue"
--- @include "includes/timelines"
--- @include "includes/reopenRecord"

local dead, seq, revoked, body, meta, dlv, routes, reasons, run = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8], KEYS[9]
local id = ARGV[3]

if redis.call('ZREM', dead, id) == 0 then return 0 end
redis.call('HDEL', reasons, id)
local routing = redis.call('HGET', meta, id)
if not routing then return 1 end
local score, key = parseMeta(routing)
local _, queue = routeOf(routes, key)
if score == 'inbox' then
  redis.call('RPUSH', key, redis.call('HGET', body, id))
  forgetJobs(body, meta, dlv, run, { id })
elseif redis.call('ZSCORE', revoked, id) then
  forgetJobs(body, meta, dlv, run, { id })
  return 1
else
  local attempt = reopenRecord({ record = KEYS[10], failed = KEYS[11], timeline = KEYS[12], body = body, ttl = ARGV[4], channel = ARGV[5],
    id = id, reason = '"requeued from the dead-letter queue"' }, nowMs())
  if attempt then
    -- Our producers write the attempt first, or none for attempt 1 (message-fields.ts); another
    -- layout keeps its attempt, and the run's STARTED then stores that one.
    local raw = redis.call('HGET', body, id)
    local rest = string.match(raw, '^{"attempt":%d+(,.*)$') or string.match(raw, '^{("createdAt":.*)$')
    if rest then redis.call('HSET', body, id, '{"attempt":' .. attempt .. (string.sub(rest, 1, 1) == ',' and rest or ',' .. rest)) end
  end
  local unit = tonumber(ARGV[2])
  local fresh = digits(math.floor(tonumber(score) / unit) * unit + redis.call('INCR', seq))
  redis.call('HSET', meta, id, fresh .. ' ' .. key)
  redis.call('HDEL', dlv, id)
  redis.call('HDEL', run, id)
  redis.call('ZADD', key, fresh, id)
end
if queue ~= '' then redis.call('PUBLISH', ARGV[1] .. queue, '') end
return 1
