--[[
  Reads one task record: the stored one, else the PENDING or STARTED record its stored message
  implies (includes/impliedRecord), in one atomic step (a task cannot slip from one to the other between
  two reads).

  KEYS[1] the record key
  KEYS[2] the broker's message bodies (hash id -> raw)
  KEYS[3] the broker's implied starts (hash id -> start ms)
  ARGV[1] the id
  ARGV[2] the id as JSON
  Returns the stored value (see applyUpdates-8.lua), or false if there is none.
  Events: none.
]]
--- @include "includes/bulk"
--- @include "includes/impliedRecord"

local record, bodies, runs = KEYS[1], KEYS[2], KEYS[3]
local stored = redis.call('GET', record)
if stored then return stored end
local raw = redis.call('HGET', bodies, ARGV[1])
if raw then return impliedRecord(ARGV[2], raw, redis.call('HGET', runs, ARGV[1])) end
return false
