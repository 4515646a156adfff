--[[
  Records a revocation (kept for a while, so a message published or redelivered later is dropped
  too), removes the message if it is waiting or delayed, and tells every process. A running
  message keeps its lease: its worker aborts it on the announcement, then acknowledges it. A dead
  letter stays where it is.

  KEYS[1] revoked  zset id -> revoke time
  KEYS[2] body     hash id -> raw
  KEYS[3] meta     hash id -> routing meta
  KEYS[4] dlv      hash id -> deliveries
  KEYS[5] routes   hash key -> JSON [delayed key, queue]
  KEYS[6] reasons  hash id -> why it died (dead letters)
  KEYS[7] run      hash id -> start of a run whose STARTED is implied
  ARGV[1] id
  ARGV[2] how long revocations are kept, ms
  ARGV[3] revocation channel
  Returns the raw message if a waiting or delayed message was removed (its workflow is the
  caller's to end), else 0.
  Events: the id on the revocation channel.
]]
--- @include "includes/nowMs"
--- @include "includes/bulk"
--- @include "includes/jobMeta"

local revoked, body, meta, dlv, routes, reasons, run = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7]
local now = nowMs()
local id = ARGV[1]
redis.call('ZADD', revoked, now, id)
redis.call('ZREMRANGEBYSCORE', revoked, '-inf', now - tonumber(ARGV[2]))
local removed = 0
local raw = false
local routing = redis.call('HGET', meta, id)
if routing and redis.call('HEXISTS', reasons, id) == 0 then
  local score, key = parseMeta(routing)
  if score ~= 'inbox' then
    local delayedKey = routeOf(routes, key)
    removed = redis.call('ZREM', key, id)
    if delayedKey ~= '' then removed = removed + redis.call('ZREM', delayedKey, id) end
    if removed > 0 then
      raw = redis.call('HGET', body, id)
      forgetJobs(body, meta, dlv, run, { id })
    end
  end
end
redis.call('PUBLISH', ARGV[3], id)
return raw or 0
