-- Fencing: whether the delivery leased as `member` still holds its lease, that is, its member is
-- in the leases zset and its expiry is still ahead (a reserve reclaims a lease at its expiry). A
-- lease that was settled (a hand-back included), reclaimed for another delivery, or expired is
-- not held, and its delivery may write no more.
local function leaseHeld(leasesKey, member, now)
  local expiry = redis.call('ZSCORE', leasesKey, member)
  return expiry ~= false and tonumber(expiry) > now
end
