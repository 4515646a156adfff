--[[
  Sets a value only if it currently holds the expected one (or is absent), atomically.

  KEYS[1] the value's key
  ARGV[1] '1' if a value is expected, '0' if absence is
  ARGV[2] the expected value (ignored when ARGV[1] is '0')
  ARGV[3] the new value
  ARGV[4] TTL ms, '' for none
  Returns 1 if set, else 0.
  Events: none.
]]
local valueKey = KEYS[1]
local current = redis.call('GET', valueKey)
if ARGV[1] == '0' then
  if current then return 0 end
elseif current ~= ARGV[2] then
  return 0
end
if ARGV[4] == '' then
  redis.call('SET', valueKey, ARGV[3])
else
  redis.call('SET', valueKey, ARGV[3], 'PX', ARGV[4])
end
return 1
