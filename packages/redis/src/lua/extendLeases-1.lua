--[[
  Heartbeat: extends the leases a live worker holds to now + visibility timeout. Leases already
  reclaimed (expired before the heartbeat) are not recreated: XX.

  KEYS[1] leases  zset lease member -> expiry
  ARGV[1] visibility timeout ms
  ARGV[2..] lease members
  Returns how many were extended.
  Events: none.
]]
--- @include "includes/nowMs"

local leases = KEYS[1]
local untilMs = string.format('%d', nowMs() + tonumber(ARGV[1]))
local extended = 0
local args = {}
for j = 2, #ARGV do
  args[#args + 1] = untilMs
  args[#args + 1] = ARGV[j]
  if #args >= 1000 then
    extended = extended + redis.call('ZADD', leases, 'XX', 'CH', unpack(args))
    args = {}
  end
end
if #args > 0 then extended = extended + redis.call('ZADD', leases, 'XX', 'CH', unpack(args)) end
return extended
