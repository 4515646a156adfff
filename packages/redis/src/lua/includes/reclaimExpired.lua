-- Puts back the messages whose lease expired (their holder died or stalled): a message returns to
-- its ready zset at its old score (so it is not pushed behind newer work), a raw inbox message to
-- the front of its inbox; revoked ones are dropped. The expired delivery is added to the stored
-- count, so the next delivery counts one more. Bounded per call; the rest goes on the next call.
local function reclaimExpired(k, wakePrefix, now)
  local found = redis.call('ZRANGEBYSCORE', k.leases, '-inf', now, 'LIMIT', 0, 100)
  -- Only real leases: the encoding member (see includes/leaseJobId) belongs at +inf, and goes
  -- back there if something moved it.
  local expired, ids = {}, {}
  for _, member in ipairs(found) do
    local id = leaseJobId(member)
    if id then
      expired[#expired + 1] = member
      ids[#ids + 1] = id
    else
      redis.call('ZADD', k.leases, '+inf', member)
    end
  end
  if #expired == 0 then return end
  bulkCall('ZREM', k.leases, expired)
  local metas = bulkQuery('HMGET', k.meta, ids)
  local revoked = bulkQuery('ZMSCORE', k.revoked, ids)
  local dropped, woken = {}, {}
  for j = 1, #ids do
    local id, meta = ids[j], metas[j]
    if meta then
      local score, key = parseMeta(meta)
      if score == 'inbox' then
        local raw = redis.call('HGET', k.body, id)
        if raw then redis.call('LPUSH', key, raw) end
        dropped[#dropped + 1] = id
        woken[key] = true
      elseif revoked[j] then
        dropped[#dropped + 1] = id
      else
        redis.call('ZADD', key, score, id)
        -- The delivery that ended here counts (a reserve does not write the count, to keep the
        -- hot path free of it).
        redis.call('HINCRBY', k.dlv, id, 1)
        woken[key] = true
      end
    end
  end
  forgetJobs(k.body, k.meta, k.dlv, k.run, dropped)
  for key in pairs(woken) do
    local _, queue = routeOf(k.routes, key)
    if queue ~= '' then redis.call('PUBLISH', wakePrefix .. queue, '') end
  end
end
