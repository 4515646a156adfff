--[[
  Records that a member of a group finished; says yes exactly once, to the call that completed it.
  Duplicates (a redelivered member) change nothing.

  KEYS[1] members  set of finished member ids
  KEYS[2] fired    flag set once the group is complete
  ARGV[1] member id
  ARGV[2] group size
  ARGV[3] TTL ms of both keys
  Returns 1 to the call that completed the group, else 0.
  Events: none.
]]
local members, fired = KEYS[1], KEYS[2]
local added = redis.call('SADD', members, ARGV[1])
redis.call('PEXPIRE', members, ARGV[3])
if added == 0 or redis.call('SCARD', members) < tonumber(ARGV[2]) then return 0 end
if redis.call('SET', fired, '1', 'NX', 'PX', ARGV[3]) then return 1 end
return 0
