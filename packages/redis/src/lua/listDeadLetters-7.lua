--[[
  Lists a page of dead letters, oldest first, after dropping those past the queue's bounds.

  KEYS[1] dead     zset id -> time it died
  KEYS[2] body     hash id -> raw
  KEYS[3] meta     hash id -> routing meta
  KEYS[4] routes   hash ready or inbox key -> JSON [delayed key, queue]
  KEYS[5] reasons  hash id -> why it died
  KEYS[6] dlv      hash id -> deliveries
  KEYS[7] run      hash id -> start of a run whose STARTED is implied
  ARGV[1] limit
  ARGV[2] offset
  ARGV[3] most dead letters kept
  ARGV[4] oldest dead letter kept, ms
  Returns 5 per dead letter: id, queue, raw, reason, deadAt.
  Events: none.
]]
--- @include "includes/nowMs"
--- @include "includes/bulk"
--- @include "includes/jobMeta"
--- @include "includes/leaseJobId"
--- @include "includes/deadLetters"

local k = { dead = KEYS[1], body = KEYS[2], meta = KEYS[3], routes = KEYS[4], reasons = KEYS[5], dlv = KEYS[6], run = KEYS[7] }
trimDeadLetters(k, nowMs(), tonumber(ARGV[3]), tonumber(ARGV[4]))
local offset = tonumber(ARGV[2])
local dead = redis.call('ZRANGE', k.dead, offset, offset + tonumber(ARGV[1]) - 1, 'WITHSCORES')
local out = {}
for j = 1, #dead, 2 do
  local id = dead[j]
  local routing = redis.call('HGET', k.meta, id)
  local queue = ''
  if routing then
    local _, key = parseMeta(routing)
    local _, q = routeOf(k.routes, key)
    queue = q
  end
  out[#out + 1] = id
  out[#out + 1] = queue
  out[#out + 1] = redis.call('HGET', k.body, id) or ''
  out[#out + 1] = redis.call('HGET', k.reasons, id) or ''
  out[#out + 1] = dead[j + 1]
end
return out
