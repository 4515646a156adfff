--[[
  Lists dead letters, oldest first.

  KEYS[1] dead     zset id -> time it died
  KEYS[2] body     hash id -> raw
  KEYS[3] meta     hash id -> routing meta
  KEYS[4] routes   hash ready or inbox key -> JSON [delayed key, queue]
  KEYS[5] reasons  hash id -> why it died
  ARGV[1] limit
  Returns 5 per dead letter: id, queue, raw, reason, deadAt.
]]
--- @include "includes/jobMeta"

local dead = redis.call('ZRANGE', KEYS[1], 0, tonumber(ARGV[1]) - 1, 'WITHSCORES')
local out = {}
for j = 1, #dead, 2 do
  local id = dead[j]
  local meta = redis.call('HGET', KEYS[3], id)
  local queue = ''
  if meta then
    local _, key = parseMeta(meta)
    local _, q = routeOf(KEYS[4], key)
    queue = q
  end
  out[#out + 1] = id
  out[#out + 1] = queue
  out[#out + 1] = redis.call('HGET', KEYS[2], id) or ''
  out[#out + 1] = redis.call('HGET', KEYS[5], id) or ''
  out[#out + 1] = dead[j + 1]
end
return out
