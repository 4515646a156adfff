--[[
  ResultBackend.reopen, for a store that is another broker's backend (a split pair's requeued dead
  letter or retried task): a FAILURE record back to PENDING (seq + 1, attempt + 1, meta.reason),
  outside the state machine on purpose, a requeue starting a new attempt. As retryTask-9.lua's
  (includes/reopenRecord): its FAILURE goes to its timeline and out of the FAILURE list, and the
  new record is published; its id is filed again among the live tasks another broker holds
  (`remembered`, see internal/task-listing.ts). Any other record, or none, is left as it is.

  KEYS[1] record   the id's task record (rec:<id>)
  KEYS[2] timeline the id's timeline string (tl:<id>, see includes/timelines)
  KEYS[3] failed   the list of FAILURE tasks (includes/taskLists)
  KEYS[4] body     the broker's body hash (a message kept for the record, if any)
  KEYS[5] remembered zset id -> ms of the tasks another broker holds
  ARGV[1] record TTL ms
  ARGV[2] record event channel of the id
  ARGV[3] the id
  ARGV[4] the reason, put in the record's meta
  Returns the new stored value (header, record JSON, carried line), or false if nothing was reopened.
  Events: the reopened record on its event channel.
]]
--- @include "includes/nowMs"
--- @include "includes/bulk"
--- @include "includes/recordValue"
--- @include "includes/timelines"
--- @include "includes/reopenRecord"

local r = { record = KEYS[1], timeline = KEYS[2], failed = KEYS[3], body = KEYS[4], ttl = ARGV[1], channel = ARGV[2], id = ARGV[3], reason = cjson.encode(ARGV[4]) }
local now = nowMs()
if not reopenRecord(r, now) then return false end
redis.call('ZADD', KEYS[5], now, ARGV[3])
return redis.call('GET', KEYS[1])
