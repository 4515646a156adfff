--[[
  Lists dead letters, oldest first.

  KEYS[1] dead     zset id -> time it died
  KEYS[2] body     hash id -> raw
  KEYS[3] meta     hash id -> routing meta
  KEYS[4] routes   hash ready or inbox key -> JSON [delayed key, queue]
  KEYS[5] reasons  hash id -> why it died
  ARGV[1] limit
  Returns 5 per dead letter: id, queue, raw, reason, deadAt.
  Events: none.
]]
--- @include "includes/jobMeta"

local deadKey, body, meta, routes, reasons = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local dead = redis.call('ZRANGE', deadKey, 0, tonumber(ARGV[1]) - 1, 'WITHSCORES')
local out = {}
for j = 1, #dead, 2 do
  local id = dead[j]
  local routing = redis.call('HGET', meta, id)
  local queue = ''
  if routing then
    local _, key = parseMeta(routing)
    local _, q = routeOf(routes, key)
    queue = q
  end
  out[#out + 1] = id
  out[#out + 1] = queue
  out[#out + 1] = redis.call('HGET', body, id) or ''
  out[#out + 1] = redis.call('HGET', reasons, id) or ''
  out[#out + 1] = dead[j + 1]
end
return out
