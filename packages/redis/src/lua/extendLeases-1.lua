--[[
  Heartbeat: extends the leases a live worker holds to now + visibility timeout. Only leases still
  held are extended (includes/leaseHeld): one reclaimed is not recreated, and one already expired
  stays expired, so a holder that stalled past its lease cannot revive it and write (fencing).

  KEYS[1] leases  zset lease member -> expiry
  ARGV[1] visibility timeout ms
  ARGV[2..] lease members
  Returns how many were extended.
  Events: none.
]]
--- @include "includes/nowMs"
--- @include "includes/bulk"

local leases = KEYS[1]
local now = nowMs()
local untilMs = string.format('%d', now + tonumber(ARGV[1]))
local members = {}
for j = 2, #ARGV do members[j - 1] = ARGV[j] end
local expiries = bulkQuery('ZMSCORE', leases, members)
local extended = 0
local args = {}
for j = 1, #members do
  local expiry = expiries[j]
  if expiry and tonumber(expiry) > now then
    args[#args + 1] = untilMs
    args[#args + 1] = members[j]
    if #args >= 1000 then
      extended = extended + redis.call('ZADD', leases, 'XX', 'CH', unpack(args))
      args = {}
    end
  end
end
if #args > 0 then extended = extended + redis.call('ZADD', leases, 'XX', 'CH', unpack(args)) end
return extended
