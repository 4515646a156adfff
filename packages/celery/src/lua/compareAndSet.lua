--[[
  Sets a value only if it holds the expected one (absent when ARGV[1] is '0').

  KEYS[1] the value's key
  ARGV[1] '1' if a value is expected, '0' for absent  ARGV[2] expected  ARGV[3] new value
  ARGV[4] TTL in ms, or '' for none
  Returns 1 if set, else 0.
  Events: none.
]]
local current = redis.call('GET', KEYS[1])
if ARGV[1] == '0' then
  if current then return 0 end
elseif current ~= ARGV[2] then
  return 0
end
if ARGV[4] ~= '' then redis.call('SET', KEYS[1], ARGV[3], 'PX', ARGV[4]) else redis.call('SET', KEYS[1], ARGV[3]) end
return 1
