--[[
  Publishes messages whose records exist and marks a key, in one step, unless the key is marked
  already: a chord's callback is started exactly once, however many finishers (a redelivered
  member after its finisher died, members finishing together) try. A resend after a lost reply
  finds the key marked and publishes nothing.

  KEYS[1] seq      arrival counter             KEYS[2] revoked  zset id -> revoke time
  KEYS[3] body     hash id -> raw message      KEYS[4] meta     hash id -> routing meta
  KEYS[5] dlv      hash id -> deliveries       KEYS[6] routes   hash ready key -> JSON [delayed key, queue]
  KEYS[7] once     the key to mark (kv:<key>)
  ARGV[1] wake channel prefix
  ARGV[2] priority unit
  ARGV[3] origin (see publishJobs-7.lua)
  ARGV[4] TTL of the mark, ms
  ARGV[5...] routes and packed messages, as publishJobs-7.lua's ARGV[4...]
  Returns 1 if it published, 0 if the key was marked already.
  Events: a wake-up (origin) on the wake channel of each queue that got ready work.
]]
--- @include "includes/nowMs"
--- @include "includes/bulk"
--- @include "includes/packedFields"
--- @include "includes/publishMessages"

local k = { seq = KEYS[1], revoked = KEYS[2], body = KEYS[3], meta = KEYS[4], dlv = KEYS[5], routes = KEYS[6] }
if not redis.call('SET', KEYS[7], '1', 'NX', 'PX', ARGV[4]) then return 0 end
local routes, messages = readMessages(5)
publishMessages(k, nowMs(), tonumber(ARGV[2]), ARGV[1], ARGV[3], routes, messages)
return 1
