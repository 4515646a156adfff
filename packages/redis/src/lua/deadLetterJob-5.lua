--[[
  Settles a held delivery by moving its message to the dead-letter queue with a reason. Its body
  and meta stay, so it can be listed and re-queued.

  KEYS[1] leases   zset lease member -> expiry
  KEYS[2] dead     zset id -> time it died (oldest first)
  KEYS[3] body     hash id -> raw
  KEYS[4] reasons  hash id -> why it died
  KEYS[5] dlv      hash id -> deliveries
  ARGV[1] lease member
  ARGV[2] reason
  Returns 1 if dead-lettered, 0 if the lease was not held.
]]
--- @include "includes/nowMs"
--- @include "includes/leaseJobId"
--- @include "includes/bulk"

if redis.call('ZREM', KEYS[1], ARGV[1]) == 0 then return 0 end
local id = leaseJobId(ARGV[1])
if redis.call('HEXISTS', KEYS[3], id) == 0 then return 0 end
redis.call('HSET', KEYS[4], id, ARGV[2])
redis.call('HDEL', KEYS[5], id)
redis.call('HDEL', runKeyOf(KEYS[3]), id)
redis.call('ZADD', KEYS[2], nowMs(), id)
return 1
