--[[
  Settles a held delivery and stores a message in its place, atomically: a retry (new attempt,
  usually with an eta), a hand-back of an unstarted task, or a raw inbox message admitted after
  validation. Does nothing if the lease is no longer held (it expired and the message was put back
  or delivered again: that copy is the live one).

  KEYS[1] leases  zset lease member -> expiry     KEYS[2] seq     arrival counter
  KEYS[3] revoked zset id -> revoke time          KEYS[4] body    hash id -> raw
  KEYS[5] meta    hash id -> routing meta         KEYS[6] dlv     hash id -> deliveries
  KEYS[7] routes  hash ready key -> JSON [delayed key, queue]
  KEYS[8] run     hash id -> start of a run whose STARTED is implied
  ARGV[1] wake channel prefix
  ARGV[2] priority unit
  ARGV[3] lease member of the delivery being settled
  ARGV[4..13] the message to store: id, raw, ready key, delayed key, ready-keys set, queue,
          priority rank, eta ('' for none), deliveries so far, route JSON
  Returns 1 if settled, 0 if the lease was not held.
  Events: a wake-up on the queue's wake channel if the message is ready now.
]]
--- @include "includes/nowMs"
--- @include "includes/bulk"
--- @include "includes/leaseJobId"
--- @include "includes/storeJob"

local k = { leases = KEYS[1], seq = KEYS[2], revoked = KEYS[3], body = KEYS[4], meta = KEYS[5], dlv = KEYS[6], routes = KEYS[7], run = KEYS[8] }
if redis.call('ZREM', k.leases, ARGV[3]) == 0 then return 0 end
forgetJobs(k.body, k.meta, k.dlv, k.run, { leaseJobId(ARGV[3]) })
local f = {}
for j = 4, 13 do f[#f + 1] = ARGV[j] end
if storeJob(k, nowMs(), redis.call('INCR', k.seq), tonumber(ARGV[2]), f) == 1 then
  redis.call('PUBLISH', ARGV[1] .. f[6], '')
end
return 1
