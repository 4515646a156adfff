--[[
  Stores a task's result meta if it is still what the writer read (compare and set), and publishes
  it on the key's channel, as Celery's Redis backend does (SET then PUBLISH): a Python
  AsyncResult.get() already waiting only listens.

  KEYS[1] celery-task-meta-<id>
  ARGV[1] '1' if the key was read present, '0' if absent  ARGV[2] the value read
  ARGV[3] the new value  ARGV[4] TTL in ms
  Returns 1 if stored, 0 if the key changed since it was read.
  Events: PUBLISH KEYS[1] the new value.
]]
local current = redis.call('GET', KEYS[1])
if ARGV[1] == '0' then
  if current then return 0 end
elseif current ~= ARGV[2] then
  return 0
end
redis.call('SET', KEYS[1], ARGV[3], 'PX', ARGV[4])
redis.call('PUBLISH', KEYS[1], ARGV[3])
return 1
