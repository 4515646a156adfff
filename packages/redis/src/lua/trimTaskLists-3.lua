--[[
  Applies the finished lists' bounds now, before the admin API reads them (the scripts that add to
  them trim only every few additions, see includes/taskLists): entries beyond the count bound and
  older than the age bound go.

  KEYS[1..3] the finished lists of SUCCESS, FAILURE and REVOKED tasks
  ARGV[1] the count bound (taskListLimit)
  ARGV[2] the age bound in ms (taskListTtl)
  Returns 1.
  Events: none.
]]
--- @include "includes/nowMs"
--- @include "includes/bulk"
--- @include "includes/taskLists"

local lists = taskLists(KEYS[1], KEYS[2], KEYS[3], ARGV[1], ARGV[2])
local now = nowMs()
for j = 1, 3 do trimTaskList(lists, KEYS[j], now, nil) end
return 1
