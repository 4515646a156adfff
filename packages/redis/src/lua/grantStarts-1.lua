--[[
  Grants starts from the rate windows of the home partition, for one reserve of a partitioned
  store (see internal/partition-rates.ts): every partition's starts of a task count in this one
  window, so the limit holds across partitions. Per task, forgets the starts older than the
  interval, then adds up to `want` members "<grant>:<n>" scored now, within the limit. The caller
  removes the members it did not use once its reserve has taken what it could.

  KEYS[1] seq (names the home partition's slot; rate keys are built by the caller, in that slot)
  ARGV[1] grant token (unique per call), ARGV[2] want,
          then 3 per rate-limited task: rate key, limit, interval ms
  Returns per task: the number granted, then the ms until its window lets one more through (-1
          when some were granted)
  Events: none.
]]
--- @include "includes/nowMs"

local now = nowMs()
local grant, want = ARGV[1], tonumber(ARGV[2])
local out = {}
for at = 3, #ARGV, 3 do
  local key, limit, interval = ARGV[at], tonumber(ARGV[at + 1]), tonumber(ARGV[at + 2])
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - interval)
  local used = redis.call('ZCARD', key)
  local n = math.min(want, limit - used)
  if n > 0 then
    local args = {}
    for j = 1, n do
      args[j * 2 - 1] = now
      args[j * 2] = grant .. ':' .. j
    end
    redis.call('ZADD', key, unpack(args))
    redis.call('PEXPIRE', key, interval)
    out[#out + 1] = n
    out[#out + 1] = -1
  else
    local oldest = redis.call('ZRANGE', key, used - limit, used - limit, 'WITHSCORES')
    out[#out + 1] = 0
    out[#out + 1] = oldest[2] and math.max(0, tonumber(oldest[2]) + interval - now) or 0
  end
end
return out
