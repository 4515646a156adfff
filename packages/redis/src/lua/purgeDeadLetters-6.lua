--[[
  Deletes dead letters with their stored fields: the named ones, or every one if none is named.

  KEYS[1] dead     zset id -> time it died
  KEYS[2] body     hash id -> raw
  KEYS[3] meta     hash id -> routing meta
  KEYS[4] dlv      hash id -> deliveries
  KEYS[5] run      hash id -> start of a run whose STARTED is implied
  KEYS[6] reasons  hash id -> why it died
  ARGV    the ids (none: all)
  Returns the number deleted.
  Events: none.
]]
--- @include "includes/bulk"

local dead, body, meta, dlv, run, reasons = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
local ids = {}
if #ARGV == 0 then
  ids = redis.call('ZRANGE', dead, 0, -1)
else
  -- Only letters: an id that is not one may be a live task's, whose fields must stay.
  local scores = bulkQuery('ZMSCORE', dead, ARGV)
  for j, id in ipairs(ARGV) do
    if scores[j] then ids[#ids + 1] = id end
  end
end
if #ids == 0 then return 0 end
forgetJobs(body, meta, dlv, run, ids)
bulkCall('HDEL', reasons, ids)
bulkCall('ZREM', dead, ids)
return #ids
