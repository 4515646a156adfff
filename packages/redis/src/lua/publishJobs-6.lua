--[[
  Stores messages, each ready at once or delayed until its eta, and wakes the queues that got
  ready work. Messages whose id is revoked are dropped. One multi-element command per structure,
  not one call per message.

  KEYS[1] seq      counter giving arrival order (FIFO within a priority)
  KEYS[2] revoked  zset id -> revoke time
  KEYS[3] body     hash id -> raw message
  KEYS[4] meta     hash id -> "<score> <ready key>" (includes/jobMeta)
  KEYS[5] dlv      hash id -> deliveries so far (absent: none)
  KEYS[6] routes   hash ready key -> JSON [delayed key, queue]
  ARGV[1] wake channel prefix
  ARGV[2] priority unit (score = priority rank * unit + seq)
  ARGV[3] origin: the wake message, so the publishing process (which wakes its own waiters at
          once) can ignore its echo
  ARGV[4] number of routes, then 5 per route (a queue and task pair): ready key, delayed key,
          ready-keys set of the queue, queue, route JSON
  then the number of messages, then the messages packed in one argument (includes/packedFields),
          6 fields each: id as JSON, raw JSON, route index, priority rank (MAX_PRIORITY -
          priority), eta ms ('' for none), deliveries so far
  Returns the number of messages stored.
]]
--- @include "includes/nowMs"
--- @include "includes/bulk"
--- @include "includes/packedFields"

local k = { seq = KEYS[1], revoked = KEYS[2], body = KEYS[3], meta = KEYS[4], dlv = KEYS[5], routes = KEYS[6] }
local now = nowMs()
local unit = tonumber(ARGV[2])
local nRoutes = tonumber(ARGV[4])
local routes, routeArgs = {}, {}
for r = 1, nRoutes do
  local at = 5 + (r - 1) * 5
  routes[r] = { ready = ARGV[at], delayed = ARGV[at + 1], queue = ARGV[at + 3], readyArgs = {} }
  redis.call('SADD', ARGV[at + 2], ARGV[at])
  routeArgs[#routeArgs + 1] = ARGV[at]
  routeArgs[#routeArgs + 1] = ARGV[at + 4]
end
bulkCall('HSET', k.routes, routeArgs)

local n = tonumber(ARGV[5 + nRoutes * 5])
local ids, raws, routeOf, ranks, etas, dlvs = {}, {}, {}, {}, {}, {}
local m = 0
for idJson, raw, route, rank, eta, deliveries in packedRecords(ARGV[6 + nRoutes * 5], 6) do
  m = m + 1
  ids[m] = idFromJson(idJson)
  raws[m] = raw
  routeOf[m] = routes[tonumber(route)]
  ranks[m] = tonumber(rank)
  etas[m] = eta
  dlvs[m] = deliveries
end
local revoked = bulkQuery('ZMSCORE', k.revoked, ids)
local last = redis.call('INCRBY', k.seq, n)
local bodyArgs, metaArgs, dlvArgs, fresh, delayed = {}, {}, {}, {}, {}
local stored = 0
for m = 1, n do
  if not revoked[m] then
    stored = stored + 1
    local id, route = ids[m], routeOf[m]
    local score = digits(ranks[m] * unit + last - n + m)
    bodyArgs[#bodyArgs + 1] = id
    bodyArgs[#bodyArgs + 1] = raws[m]
    metaArgs[#metaArgs + 1] = id
    metaArgs[#metaArgs + 1] = score .. ' ' .. route.ready
    if dlvs[m] ~= '0' then
      dlvArgs[#dlvArgs + 1] = id
      dlvArgs[#dlvArgs + 1] = dlvs[m]
    else
      fresh[#fresh + 1] = id
    end
    if etas[m] ~= '' and tonumber(etas[m]) > now then
      local args = delayed[route.delayed]
      if not args then
        args = {}
        delayed[route.delayed] = args
      end
      args[#args + 1] = etas[m]
      args[#args + 1] = id
    else
      route.readyArgs[#route.readyArgs + 1] = score
      route.readyArgs[#route.readyArgs + 1] = id
    end
  end
end
bulkCall('HSET', k.body, bodyArgs)
bulkCall('HSET', k.meta, metaArgs)
bulkCall('HSET', k.dlv, dlvArgs)
bulkCall('HDEL', k.dlv, fresh)
for key, args in pairs(delayed) do bulkCall('ZADD', key, args) end
local woken = {}
for _, route in ipairs(routes) do
  if #route.readyArgs > 0 then
    bulkCall('ZADD', route.ready, route.readyArgs)
    woken[route.queue] = true
  end
end
for queue in pairs(woken) do redis.call('PUBLISH', ARGV[1] .. queue, ARGV[3]) end
return stored
