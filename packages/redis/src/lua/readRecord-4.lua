--[[
  Reads one task record: the stored one, else the PENDING or STARTED record its live message
  implies (includes/impliedRecord), in one atomic step (a task cannot slip from one to the other
  between two reads). A body without a meta field is a finished task's, kept for its record (see
  includes/taskLists): it implies nothing.

  KEYS[1] the record key
  KEYS[2] the broker's message bodies (hash id -> raw)
  KEYS[3] the broker's implied starts (hash id -> start ms)
  KEYS[4] the broker's message meta (hash id -> routing): a message with one is live
  ARGV[1] the id
  ARGV[2] the id as JSON
  Returns the stored value (see applyUpdates-9.lua), or false if there is none.
  Events: none.
]]
--- @include "includes/bulk"
--- @include "includes/impliedRecord"

local record, bodies, runs, metas = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local stored = redis.call('GET', record)
if stored then return stored end
if redis.call('HEXISTS', metas, ARGV[1]) == 0 then return false end
local raw = redis.call('HGET', bodies, ARGV[1])
if raw then return impliedRecord(ARGV[2], raw, redis.call('HGET', runs, ARGV[1])) end
return false
