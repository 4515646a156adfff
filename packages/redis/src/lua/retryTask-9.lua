--[[
  Runs a FAILURE task again (the admin API's retryTask), in one step: its record goes back to
  PENDING (seq + 1, attempt + 1, meta.reason "retried"; includes/reopenRecord) and its message,
  which the caller read from the task's timeline and wrote with that attempt, is filed on its
  queue as a new first delivery. Refused if the record is not FAILURE at the seq the caller read,
  or if a message of that id is live (waiting, running, or a dead letter: retryDeadLetter's): it has
  a meta field. A body without one is the finished task's own, kept (see includes/taskLists): the
  record's line takes it along before the new attempt's message replaces it.

  KEYS[1] record   the id's task record (rec:<id>)
  KEYS[2] timeline the id's timeline string (tl:<id>, see includes/timelines)
  KEYS[3] failed   the list of FAILURE tasks (includes/taskLists)
  KEYS[4] seq      arrival counter        KEYS[5] revoked  zset id -> revoke time
  KEYS[6] body     hash id -> raw         KEYS[7] meta     hash id -> routing meta
  KEYS[8] dlv      hash id -> deliveries  KEYS[9] routes   hash ready key -> JSON [delayed key, queue]
  ARGV[1] wake channel prefix
  ARGV[2] priority unit
  ARGV[3] record TTL ms
  ARGV[4] record event channel of the id
  ARGV[5] the record's seq as the caller read it
  ARGV[6..15] the message to store, as requeueJob-8.lua's ARGV[4..13]
  Returns 1 if retried, else 0.
  Events: the reopened record on its event channel; a wake-up on the queue's wake channel.
]]
--- @include "includes/nowMs"
--- @include "includes/bulk"
--- @include "includes/recordValue"
--- @include "includes/timelines"
--- @include "includes/reopenRecord"
--- @include "includes/storeJob"

local k = { seq = KEYS[4], revoked = KEYS[5], body = KEYS[6], meta = KEYS[7], dlv = KEYS[8], routes = KEYS[9] }
local f = {}
for j = 6, 15 do f[#f + 1] = ARGV[j] end
if redis.call('HEXISTS', k.meta, f[1]) == 1 or redis.call('ZSCORE', k.revoked, f[1]) then return 0 end
local now = nowMs()
local r = { record = KEYS[1], timeline = KEYS[2], failed = KEYS[3], body = k.body, ttl = ARGV[3], channel = ARGV[4], id = f[1], reason = '"retried"' }
if not reopenRecord(r, now, ARGV[5]) then return 0 end
if storeJob(k, now, redis.call('INCR', k.seq), tonumber(ARGV[2]), f) == 1 then redis.call('PUBLISH', ARGV[1] .. f[6], '') end
return 1
