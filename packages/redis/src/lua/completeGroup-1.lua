--[[
  Records that a member of a group finished; says yes once every member is counted, to the call
  that counted the last and to every later one (a redelivered member whose finisher died before
  starting the callback). Duplicates are counted once. The callback's single start is
  publishOnce's job.

  KEYS[1] members  set of finished member ids
  ARGV[1] member id
  ARGV[2] group size
  ARGV[3] TTL ms
  Returns 1 once the group is complete, else 0.
  Events: none.
]]
local members = KEYS[1]
redis.call('SADD', members, ARGV[1])
redis.call('PEXPIRE', members, ARGV[3])
if redis.call('SCARD', members) >= tonumber(ARGV[2]) then return 1 end
return 0
