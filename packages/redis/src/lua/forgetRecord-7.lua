--[[
  Forgets a task record (`forget`): the record, its timeline, its entry in its finished list, and
  the message body kept for it (see includes/taskLists) unless a live message of that id (a meta
  field) owns the body.

  KEYS[1] record   the id's task record (rec:<id>)
  KEYS[2] timeline the id's timeline string (tl:<id>, see includes/timelines)
  KEYS[3..5] the finished lists of SUCCESS, FAILURE and REVOKED tasks (includes/taskLists)
  KEYS[6] body     hash id -> raw
  KEYS[7] meta     hash id -> routing meta
  ARGV[1] the id
  Returns 1.
  Events: none.
]]
local id = ARGV[1]
local stored = redis.call('GET', KEYS[1])
if stored then
  -- The entry is "<updatedAt> <id>", or "+<updatedAt> <id>" if its body was kept (see
  -- includes/taskLists), updatedAt as in the record's header (see applyUpdates-9.lua).
  local state, at = string.match(stored, '^([^\n]*)\n%d+\n%d+\n(%d+)\n')
  local list = ({ SUCCESS = KEYS[3], FAILURE = KEYS[4], REVOKED = KEYS[5] })[state]
  if list and redis.call('LREM', list, 1, at .. ' ' .. id) == 0 then redis.call('LREM', list, 1, '+' .. at .. ' ' .. id) end
end
redis.call('DEL', KEYS[1], KEYS[2])
if redis.call('HEXISTS', KEYS[7], id) == 0 then redis.call('HDEL', KEYS[6], id) end
return 1
