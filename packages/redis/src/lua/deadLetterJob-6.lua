--[[
  Settles a held delivery by moving its message to the dead-letter queue with a reason. Its body
  and meta stay, so it can be listed and re-queued. Fenced: a lease no longer held (settled,
  taken by another delivery, or expired) changes nothing.

  KEYS[1] leases   zset lease member -> expiry
  KEYS[2] dead     zset id -> time it died (oldest first)
  KEYS[3] body     hash id -> raw
  KEYS[4] reasons  hash id -> why it died
  KEYS[5] dlv      hash id -> deliveries
  KEYS[6] run      hash id -> start of a run whose STARTED is implied
  ARGV[1] lease member
  ARGV[2] reason
  Returns 1 if dead-lettered, 0 if the lease was not held.
  Events: none.
]]
--- @include "includes/nowMs"
--- @include "includes/leaseJobId"
--- @include "includes/bulk"
--- @include "includes/leaseHeld"

local leases, dead, body, reasons, dlv, run = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
local now = nowMs()
if not leaseHeld(leases, ARGV[1], now) then return 0 end
redis.call('ZREM', leases, ARGV[1])
local id = leaseJobId(ARGV[1])
if redis.call('HEXISTS', body, id) == 0 then return 0 end
redis.call('HSET', reasons, id, ARGV[2])
redis.call('HDEL', dlv, id)
redis.call('HDEL', run, id)
redis.call('ZADD', dead, now, id)
return 1
