-- Settles acknowledged deliveries: each lease still held is dropped with its message. A lease no
-- longer held (it expired and the message went back or to another worker) is left alone.
-- Returns how many were still held.
local function ackLeases(leasesKey, bodyKey, metaKey, dlvKey, runKey, members)
  if #members == 0 then return 0 end
  if #members == 1 then
    -- One lease (a lone settle): its ZREM tells whether it was held, without a ZMSCORE, whose
    -- reply formats a double.
    if redis.call('ZREM', leasesKey, members[1]) == 0 then return 0 end
    local id = leaseJobId(members[1])
    if id then forgetJobs(bodyKey, metaKey, dlvKey, runKey, { id }) end
    return 1
  end
  local scores = bulkQuery('ZMSCORE', leasesKey, members)
  local held, ids = {}, {}
  for j = 1, #members do
    if scores[j] then
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
