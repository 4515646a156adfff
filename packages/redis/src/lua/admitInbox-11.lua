--[[
  Admits a raw inbox message, validated by the worker, to its queue — unless its id is in use (a
  waiting, running or dead message has that id: a meta field; or a task record does; a finished
  task's kept body alone does not, as its record decides): then it is dead-lettered
  under its raw id with the reason, never applied. Checked and done in one step, so a foreign
  producer can never replace a pending task's arguments.

  KEYS[1] leases  zset lease member -> expiry     KEYS[2] seq     arrival counter
  KEYS[3] revoked zset id -> revoke time          KEYS[4] body    hash id -> raw
  KEYS[5] meta    hash id -> routing meta         KEYS[6] dlv     hash id -> deliveries
  KEYS[7] routes  hash ready key -> JSON [delayed key, queue]
  KEYS[8] run     hash id -> start of a run whose STARTED is implied
  KEYS[9] dead    zset id -> time it died         KEYS[10] reasons hash id -> why it died
  KEYS[11] record the message id's task record (rec:<id>)
  ARGV[1] wake channel prefix
  ARGV[2] priority unit
  ARGV[3] lease member of the raw message
  ARGV[4..13] the message to store, as requeueJob-8.lua's ARGV[4..13]
  ARGV[14] reason if the id is in use
  ARGV[15] most dead letters kept
  ARGV[16] oldest dead letter kept, ms
  Returns 1 if admitted, 2 if dead-lettered, 0 if the lease was not held.
  Events: a wake-up on the queue's wake channel if the message is ready now.
]]
--- @include "includes/nowMs"
--- @include "includes/bulk"
--- @include "includes/leaseJobId"
--- @include "includes/storeJob"
--- @include "includes/deadLetters"

local k = { leases = KEYS[1], seq = KEYS[2], revoked = KEYS[3], body = KEYS[4], meta = KEYS[5], dlv = KEYS[6], routes = KEYS[7], run = KEYS[8], dead = KEYS[9], reasons = KEYS[10] }
local member, id = ARGV[3], ARGV[4]
if not redis.call('ZSCORE', k.leases, member) then return 0 end
local now = nowMs()
if redis.call('HEXISTS', k.meta, id) == 1 or redis.call('EXISTS', KEYS[11]) == 1 then
  deadLetterLease(k, member, ARGV[14], now, tonumber(ARGV[15]), tonumber(ARGV[16]))
  return 2
end
redis.call('ZREM', k.leases, member)
forgetJobs(k.body, k.meta, k.dlv, k.run, { leaseJobId(member) })
local f = {}
for j = 4, 13 do f[#f + 1] = ARGV[j] end
if storeJob(k, now, redis.call('INCR', k.seq), tonumber(ARGV[2]), f) == 1 then
  redis.call('PUBLISH', ARGV[1] .. f[6], '')
end
return 1
