--[[
  Counts a queue's waiting messages: ready (all tasks), delayed, and raw in its inbox.

  KEYS[1] ready-keys set of the queue
  KEYS[2] delayed zset of the queue
  KEYS[3] inbox list of the queue
  Returns the count.
  Events: none.
]]
local readyKeys, delayed, inbox = KEYS[1], KEYS[2], KEYS[3]
local total = redis.call('ZCARD', delayed) + redis.call('LLEN', inbox)
for _, key in ipairs(redis.call('SMEMBERS', readyKeys)) do
  total = total + redis.call('ZCARD', key)
end
return total
