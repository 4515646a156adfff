-- Raw inbox messages: leased like deliveries, so a worker dying while validating loses nothing.
-- Takes up to `max` from each queue's inbox (a list foreign producers push to), leased until
-- leaseUntil. Returns them as (member, queue, raw) triples in one flat list.
local function takeInboxes(k, queues, max, leaseUntil)
  local raws = {}
  for _, queue in ipairs(queues) do
    local items = redis.call('LPOP', queue.inbox, max)
    if items then
      redis.call('HSET', k.routes, queue.inbox, queue.inboxRoute)
      local last = redis.call('INCRBY', k.tokens, #items)
      for j, raw in ipairs(items) do
        local token = digits(last - #items + j)
        local id = 'raw-' .. token
        local member = token .. ':' .. id
        redis.call('HSET', k.body, id, raw)
        redis.call('HSET', k.meta, id, 'inbox ' .. queue.inbox)
        redis.call('ZADD', k.leases, leaseUntil, member)
        raws[#raws + 1] = member
        raws[#raws + 1] = queue.name
        raws[#raws + 1] = raw
      end
    end
  end
  return raws
end
