--[[
  Settles a held delivery by moving its message to the dead-letter queue with a reason. Its body
  and meta stay, so it can be listed and re-queued. Then trims the queue to its bounds. Fenced: a
  lease no longer held (settled, taken by another delivery, or expired) changes nothing.

  KEYS[1] leases   zset lease member -> expiry
  KEYS[2] dead     zset id -> time it died (oldest first)
  KEYS[3] body     hash id -> raw
  KEYS[4] reasons  hash id -> why it died
  KEYS[5] dlv      hash id -> deliveries
  KEYS[6] run      hash id -> start of a run whose STARTED is implied
  KEYS[7] meta     hash id -> routing meta
  ARGV[1] lease member
  ARGV[2] reason
  ARGV[3] most dead letters kept
  ARGV[4] oldest dead letter kept, ms
  Returns 1 if dead-lettered, 0 if the lease was not held.
  Events: none.
]]
--- @include "includes/nowMs"
--- @include "includes/leaseJobId"
--- @include "includes/bulk"
--- @include "includes/leaseHeld"
--- @include "includes/deadLetters"

local k = { leases = KEYS[1], dead = KEYS[2], body = KEYS[3], reasons = KEYS[4], dlv = KEYS[5], run = KEYS[6], meta = KEYS[7] }
local now = nowMs()
if not leaseHeld(k.leases, ARGV[1], now) then return 0 end
return deadLetterLease(k, ARGV[1], ARGV[2], now, tonumber(ARGV[3]), tonumber(ARGV[4]))
