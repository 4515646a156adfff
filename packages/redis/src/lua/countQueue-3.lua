--[[
  Counts a queue's waiting messages: ready (all tasks), delayed, and raw in its inbox.

  KEYS[1] ready-keys set of the queue
  KEYS[2] delayed zset of the queue
  KEYS[3] inbox list of the queue
  Returns the count.
]]
local total = redis.call('ZCARD', KEYS[2]) + redis.call('LLEN', KEYS[3])
for _, key in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  total = total + redis.call('ZCARD', key)
end
return total
