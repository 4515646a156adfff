--[[
  Puts a dead letter back on its queue: removes that exact letter and publishes the envelope made
  from it, or does nothing if another caller took the letter first.

  KEYS[1] dead letters  KEYS[2] the queue list
  ARGV[1] the letter as stored  ARGV[2] the envelope to publish
  Returns 1 if requeued, else 0.
  Events: none.
]]
if redis.call('LREM', KEYS[1], 1, ARGV[1]) == 0 then return 0 end
redis.call('LPUSH', KEYS[2], ARGV[2])
return 1
