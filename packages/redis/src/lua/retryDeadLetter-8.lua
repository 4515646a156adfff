--[[
  Puts a dead letter back on its queue as a new first delivery (at the back of its priority). A raw
  inbox message goes back to its inbox, to be validated again.

  KEYS[1] dead     zset id -> time it died       KEYS[2] seq     arrival counter
  KEYS[3] revoked  zset id -> revoke time        KEYS[4] body    hash id -> raw
  KEYS[5] meta     hash id -> routing meta       KEYS[6] dlv     hash id -> deliveries
  KEYS[7] routes   hash key -> JSON [delayed key, queue]
  KEYS[8] reasons  hash id -> why it died
  ARGV[1] wake channel prefix
  ARGV[2] priority unit
  ARGV[3] dead letter id
  Returns 1 if the id was a dead letter, else 0.
]]
--- @include "includes/bulk"
--- @include "includes/jobMeta"

local id = ARGV[3]
if redis.call('ZREM', KEYS[1], id) == 0 then return 0 end
redis.call('HDEL', KEYS[8], id)
local meta = redis.call('HGET', KEYS[5], id)
if not meta then return 1 end
local score, key = parseMeta(meta)
local _, queue = routeOf(KEYS[7], key)
if score == 'inbox' then
  redis.call('RPUSH', key, redis.call('HGET', KEYS[4], id))
  forgetJobs(KEYS[4], KEYS[5], KEYS[6], { id })
elseif redis.call('ZSCORE', KEYS[3], id) then
  forgetJobs(KEYS[4], KEYS[5], KEYS[6], { id })
  return 1
else
  local unit = tonumber(ARGV[2])
  local fresh = digits(math.floor(tonumber(score) / unit) * unit + redis.call('INCR', KEYS[2]))
  redis.call('HSET', KEYS[5], id, fresh .. ' ' .. key)
  redis.call('HDEL', KEYS[6], id)
  redis.call('HDEL', runKeyOf(KEYS[4]), id)
  redis.call('ZADD', key, fresh, id)
end
if queue ~= '' then redis.call('PUBLISH', ARGV[1] .. queue, '') end
return 1
