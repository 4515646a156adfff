-- Settles acknowledged deliveries: each lease still held (present and not expired: see
-- includes/leaseHeld) is dropped with its message. A lease no longer held is left alone: taken by
-- another delivery, or expired, in which case the next reserve reclaims it and the message comes
-- back, to be refused its STARTED if its outcome is stored. Returns how many were still held.
-- bodyKey false keeps the messages' bodies (see forgetJobs in includes/bulk).
local function ackLeases(leasesKey, bodyKey, metaKey, dlvKey, runKey, members, now)
  if #members == 0 then return 0 end
  local scores = #members == 1 and { redis.call('ZSCORE', leasesKey, members[1]) } or bulkQuery('ZMSCORE', leasesKey, members)
  local held, ids = {}, {}
  for j = 1, #members do
    local score = scores[j]
    if score and tonumber(score) > now then
      local member = members[j]
      held[#held + 1] = member
      -- nil for a member that is no "<token>:<id>": removed, but no message to drop
      local id = leaseJobId(member)
      if id then ids[#ids + 1] = id end
    end
  end
  if #held == 0 then return 0 end
  bulkCall('ZREM', leasesKey, held)
  forgetJobs(bodyKey, metaKey, dlvKey, runKey, ids)
  return #held
end

-- Drops leases the caller found held (includes/leaseHeld) and settled with a finished record that
-- relies on their bodies: `ids` are theirs. Their messages end (meta, delivery count, implied
-- start go); their bodies stay for the finished records (see includes/taskLists).
local function finishLeases(leasesKey, metaKey, dlvKey, runKey, members, ids)
  bulkCall('ZREM', leasesKey, members)
  forgetJobs(false, metaKey, dlvKey, runKey, ids)
end
