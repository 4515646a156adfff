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
  KEYS[7] replay   where this call keeps its reply ('{p}:replay:<call token>', a token unique per
          call): a resend of it after a reconnect (its reply was lost) gets the first reply
          without storing the messages again (one may have been delivered since)
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
  Events: a wake-up (origin) on the wake channel of each queue that got ready work.
]]
--- @include "includes/nowMs"
--- @include "includes/bulk"
--- @include "includes/packedFields"
--- @include "includes/publishMessages"

local k = { seq = KEYS[1], revoked = KEYS[2], body = KEYS[3], meta = KEYS[4], dlv = KEYS[5], routes = KEYS[6] }
local replayKey = KEYS[7]
local kept = redis.call('GET', replayKey)
if kept then return tonumber(kept) end
local routes, messages = readMessages(4)
local stored = publishMessages(k, nowMs(), tonumber(ARGV[2]), ARGV[1], ARGV[3], routes, messages)
redis.call('SET', replayKey, stored, 'PX', 60000)
return stored
