--[[
  Messages waiting in a queue: its lists, and its parked ETA messages.

  KEYS[1] unacked  KEYS[2] parked  KEYS[3..] the queue's lists
  ARGV[1] the queue name
  Returns the count.
  Events: none.
]]
local n = 0
for k = 3, #KEYS do n = n + redis.call('LLEN', KEYS[k]) end
local entries = redis.call('HGETALL', KEYS[2])
for i = 1, #entries, 2 do
  if entries[i + 1] == ARGV[1] and redis.call('HEXISTS', KEYS[1], entries[i]) == 1 then n = n + 1 end
end
return n
