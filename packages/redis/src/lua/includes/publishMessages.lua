-- Publishing messages in bulk (publishJobs-7.lua's ARGV from its ARGV[4]), shared by every script
-- that publishes: one multi-element command per structure, not one call per message.

-- Reads a route table and packed messages starting at ARGV[at]. Returns the routes and messages.
local function readMessages(at)
  local nRoutes = tonumber(ARGV[at])
  local routes = {}
  for r = 1, nRoutes do
    local a = at + 1 + (r - 1) * 5
    routes[r] = { ready = ARGV[a], delayed = ARGV[a + 1], readyKeys = ARGV[a + 2], queue = ARGV[a + 3], json = ARGV[a + 4] }
  end
  local messages = {}
  for _, idJson, raw, route, rank, eta, deliveries in packedMessages(ARGV[at + 2 + nRoutes * 5]) do
    messages[#messages + 1] = { id = idFromJson(idJson), idJson = idJson, raw = raw, route = routes[tonumber(route)], rank = tonumber(rank), eta = eta, dlv = deliveries }
  end
  return routes, messages
end

-- Stores messages, each ready at once or delayed until its eta; those whose id is revoked are
-- dropped. Wakes the queues that got ready work with `origin` as the wake message. A message
-- marked `fresh` has an id generated for it just now (see enqueueJobs): it cannot be revoked or
-- have a delivery count yet, so neither is looked at. One marked `handOff` (includes/handOff) is
-- stored but filed in no ready zset: the caller leases it.
-- k: seq, revoked, body, meta, dlv, routes keys. Returns the number of messages stored.
local function publishMessages(k, now, unit, wakePrefix, origin, routes, messages)
  local n = #messages
  if n == 0 then return 0 end
  local routeArgs = {}
  for _, route in ipairs(routes) do
    redis.call('SADD', route.readyKeys, route.ready)
    routeArgs[#routeArgs + 1] = route.ready
    routeArgs[#routeArgs + 1] = route.json
    route.readyArgs = {}
  end
  bulkCall('HSET', k.routes, routeArgs)
  local checked, ids = {}, {}
  for m = 1, n do
    if not messages[m].fresh then
      checked[#checked + 1] = m
      ids[#ids + 1] = messages[m].id
    end
  end
  local revoked = {}
  if #ids > 0 then
    local scores = bulkQueryUnlessAbsent('ZMSCORE', k.revoked, ids)
    for j = 1, #checked do revoked[checked[j]] = scores[j] end
  end
  local last = redis.call('INCRBY', k.seq, n)
  -- The body and meta hashes get their encoding field (see includes/bulk).
  local bodyArgs, metaArgs, dlvArgs, uncounted, delayed = { ENCODING_FIELD, ENCODING_VALUE }, { ENCODING_FIELD, ENCODING_VALUE }, {}, {}, {}
  local stored = 0
  for m = 1, n do
    if not revoked[m] then
      stored = stored + 1
      local msg = messages[m]
      local id, route = msg.id, msg.route
      local score = digits(msg.rank * unit + last - n + m)
      bodyArgs[#bodyArgs + 1] = id
      bodyArgs[#bodyArgs + 1] = msg.raw
      metaArgs[#metaArgs + 1] = id
      metaArgs[#metaArgs + 1] = score .. ' ' .. route.ready
      if msg.dlv ~= '0' then
        dlvArgs[#dlvArgs + 1] = id
        dlvArgs[#dlvArgs + 1] = msg.dlv
      elseif not msg.fresh then
        uncounted[#uncounted + 1] = id
      end
      if msg.eta ~= '' and tonumber(msg.eta) > now then
        local args = delayed[route.delayed]
        if not args then
          args = {}
          delayed[route.delayed] = args
        end
        args[#args + 1] = msg.eta
        args[#args + 1] = id
      elseif not msg.handOff then
        route.readyArgs[#route.readyArgs + 1] = score
        route.readyArgs[#route.readyArgs + 1] = id
      end
    end
  end
  bulkCall('HSET', k.body, bodyArgs)
  bulkCall('HSET', k.meta, metaArgs)
  bulkCall('HSET', k.dlv, dlvArgs)
  bulkCall('HDEL', k.dlv, uncounted)
  for key, args in pairs(delayed) do bulkCall('ZADD', key, args) end
  local woken = {}
  for _, route in ipairs(routes) do
    if #route.readyArgs > 0 then
      bulkCall('ZADD', route.ready, route.readyArgs)
      woken[route.queue] = true
    end
  end
  for queue in pairs(woken) do redis.call('PUBLISH', wakePrefix .. queue, origin) end
  return stored
end
