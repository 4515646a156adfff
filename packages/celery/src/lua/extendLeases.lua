--[[
  Renews the delivery time of the messages a Celeriac process still holds, so no restorer (Celery's
  restore_visible or ours) takes a running task back while its holder is alive.

  KEYS[1] leases  KEYS[2] unacked_index
  ARGV[1] now in s, then (tag, token) pairs
  Returns how many were still held.
  Events: none.
]]
local held = 0
for i = 2, #ARGV, 2 do
  if redis.call('HGET', KEYS[1], ARGV[i]) == ARGV[i + 1] and redis.call('ZADD', KEYS[2], 'XX', 'CH', ARGV[1], ARGV[i]) then
    held = held + 1
  end
end
return held
