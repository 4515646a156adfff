-- A message's routing meta (hash field meta[id]): "<score> <ready key>", or "inbox <inbox key>"
-- for a raw message taken from a queue's inbox. The routes hash maps each ready or inbox key to
-- the JSON [delayed key, queue] of its queue, for the rare paths that need them.
local function parseMeta(meta)
  return string.match(meta, '^(%S+) (.*)$')
end

local function routeOf(routesKey, key)
  local route = redis.call('HGET', routesKey, key)
  if not route then return '', '' end
  local decoded = cjson.decode(route)
  return decoded[1], decoded[2]
end
