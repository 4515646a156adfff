-- The dead-letter queue's bounds: at most `maxCount` letters, none older than `maxAge` ms. Letters
-- over either go, oldest first, with their stored fields, so nothing (a task failing in a loop, a
-- foreign producer pushing garbage to an inbox) grows it without end.
-- k: dead, body, meta, dlv, run, reasons keys.
local function trimDeadLetters(k, now, maxCount, maxAge)
  local old = redis.call('ZRANGEBYSCORE', k.dead, '-inf', '(' .. (now - maxAge))
  local over = redis.call('ZCARD', k.dead) - #old - maxCount
  if over > 0 then
    local extra = redis.call('ZRANGE', k.dead, #old, #old + over - 1)
    for _, id in ipairs(extra) do old[#old + 1] = id end
  end
  if #old == 0 then return end
  forgetJobs(k.body, k.meta, k.dlv, k.run, old)
  bulkCall('HDEL', k.reasons, old)
  bulkCall('ZREM', k.dead, old)
end

-- Files the delivery leased as `member` in the dead-letter queue with `reason`, then trims the
-- queue. Returns 1, or 0 if the lease was not held.
local function deadLetterLease(k, member, reason, now, maxCount, maxAge)
  if redis.call('ZREM', k.leases, member) == 0 then return 0 end
  local id = leaseJobId(member)
  if redis.call('HEXISTS', k.meta, id) == 0 then return 0 end
  redis.call('HSET', k.reasons, id, reason)
  redis.call('HDEL', k.dlv, id)
  redis.call('HDEL', k.run, id)
  redis.call('ZADD', k.dead, now, id)
  trimDeadLetters(k, now, maxCount, maxAge)
  return 1
end
