--[[
  Puts a dead letter back on its queue as a new first delivery (at the back of its priority). A raw
  inbox message goes back to its inbox, to be validated again.

  KEYS[1] dead     zset id -> time it died       KEYS[2] seq     arrival counter
  KEYS[3] revoked  zset id -> revoke time        KEYS[4] body    hash id -> raw
  KEYS[5] meta     hash id -> routing meta       KEYS[6] dlv     hash id -> deliveries
  KEYS[7] routes   hash key -> JSON [delayed key, queue]
  KEYS[8] reasons  hash id -> why it died
  KEYS[9] run      hash id -> start of a run whose STARTED is implied
  ARGV[1] wake channel prefix
  ARGV[2] priority unit
  ARGV[3] dead letter id
  Returns 1 if the id was a dead letter, else 0.
  Events: a wake-up on the queue's wake channel.
]]
--- @include "includes/bulk"
--- @include "includes/jobMeta"

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
  local unit = tonumber(ARGV[2])
  local fresh = digits(math.floor(tonumber(score) / unit) * unit + redis.call('INCR', seq))
  redis.call('HSET', meta, id, fresh .. ' ' .. key)
  redis.call('HDEL', dlv, id)
  redis.call('HDEL', run, id)
  redis.call('ZADD', key, fresh, id)
end
if queue ~= '' then redis.call('PUBLISH', ARGV[1] .. queue, '') end
return 1
