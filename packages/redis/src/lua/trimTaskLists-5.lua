--[[
  Applies the finished lists' bounds now, before the admin API reads them (the scripts that add to
  them trim only every few additions, see includes/taskLists): entries beyond the count bound and
  older than the age bound go, with the message bodies kept for their records.

  KEYS[1..3] the finished lists of SUCCESS, FAILURE and REVOKED tasks
  KEYS[4] body     hash id -> raw (kept for finished records, see includes/taskLists)
  KEYS[5] meta     hash id -> routing meta (a message with one is live: its body stays)
  ARGV[1] the count bound (taskListLimit)
  ARGV[2] the age bound in ms (taskListTtl; the record TTL if that is shorter)
  ARGV[3] the record TTL in ms (resultTtl)
  Returns 1.
  Events: none.
]]
--- @include "includes/nowMs"
--- @include "includes/bulk"
--- @include "includes/taskLists"

local lists = taskLists(KEYS[1], KEYS[2], KEYS[3], ARGV[1], ARGV[2], ARGV[3], KEYS[4], KEYS[5])
local now = nowMs()
for j = 1, 3 do trimTaskList(lists, KEYS[j], now, nil) end
return 1
