-- A lease member is "<token>:<id>": the token makes every delivery's lease distinct, so a holder
-- whose lease expired cannot settle the next holder's delivery.
local function leaseJobId(member)
  return string.match(member, '^%d+:(.*)$')
end

-- One member of the leases zset that is no lease. Its name, longer than 64 bytes, keeps the zset
-- in Redis's skiplist encoding: a worker's leases are usually under 128 short members, which Redis
-- would keep in the compact listpack encoding, where every add, remove and score lookup scans the
-- whole list (see docs/benchmarks.md for what that cost). Its score, +inf, keeps it out of every
-- expiry range, and its name is no "<token>:<id>".
local LEASES_ENCODING_MEMBER = 'encoding: a member longer than 64 bytes keeps this zset in the skiplist encoding'
