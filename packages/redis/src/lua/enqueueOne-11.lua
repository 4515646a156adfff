--[[
  Enqueues one message with a fresh id, due now (a lone delay()): enqueueJobs-11.lua for that case.
  The general path costs far more Redis work than this case needs (the batch tables, and the
  definitions of its functions, which Redis runs on every call up to the point a script returns),
  and that is most of a lone task's round trip. So this stores what the general path would
  (publishMessages; pickHandOffs and leaseHandOffs when a parked reserve may take it), replies as it
  would, and keeps its reply as it would. A resent call or an id with escapes goes on with the
  general path (includes/enqueueGeneral) before anything is written.

  KEYS[1..11] as enqueueJobs-11.lua: seq, revoked, body, meta, dlv, routes, leases, tokens, run,
          paused, replay
  ARGV as enqueueJobs-11.lua's, for what the caller (broker-scripts.ts) checked: one group of one
  message, its id fresh, no eta, no delivery so far. So: [1] wake channel prefix; [2] priority
  unit; [3] origin; [9] the hand-off; [10..12] '1', '1',
  '1'; [13] '1' route, [14..18] its ready key, delayed key, ready-keys set, queue, route JSON;
  [19] '1' message, [20] it packed.
  Returns enqueueJobs-11.lua's reply: { { now, 1 }, handedOff }.
  Events: a wake-up (origin) on the queue's wake channel, unless the message is handed off.
]]
--- @include "includes/nowMs"
--- @include "includes/bulk"
--- @include "includes/leaseJobId"

local seqKey, bodyKey, metaKey, routesKey, leasesKey, tokensKey, runKey, pausedKey, replayKey = KEYS[1], KEYS[3], KEYS[4], KEYS[6], KEYS[7], KEYS[8], KEYS[9], KEYS[10], KEYS[11]
local wakePrefix, unit, origin, spec = ARGV[1], ARGV[2], ARGV[3], ARGV[9]
local ready, readyKeys, queue, routeJson, packed = ARGV[14], ARGV[16], ARGV[17], ARGV[18], ARGV[20]

-- Packed as "<id JSON>\n<raw>\n1\n<priority rank>\n\n0\n" (includes/packedFields). An id with
-- escapes is left to the general path, which decodes it (idFromJson there).
local idEnd = string.find(packed, '\n', 1, true)
local rawEnd = string.find(packed, '\n', idEnd + 1, true)
local rank = string.match(packed, '^1\n(%d+)\n', rawEnd + 1)
if rank and not string.find(string.sub(packed, 1, idEnd), '\\', 1, true) and redis.call('EXISTS', replayKey) == 0 then
  local now = nowMs()
  local id = string.sub(packed, 2, idEnd - 2)
  redis.call('SADD', readyKeys, ready)
  redis.call('HSET', routesKey, ready, routeJson)
  local score = digits(tonumber(rank) * tonumber(unit) + redis.call('INCRBY', seqKey, 1))
  redis.call('HSET', bodyKey, ENCODING_FIELD, ENCODING_VALUE, id, string.sub(packed, idEnd + 1, rawEnd - 1))
  redis.call('HSET', metaKey, ENCODING_FIELD, ENCODING_VALUE, id, score .. ' ' .. ready)
  -- Handed off if a parked reserve takes from its ready key, has a free slot (its first line) and
  -- nothing waits there ahead of it; its lease lasts the reserve's visibility timeout (second line).
  local maxEnd = string.find(spec, '\n', 1, true)
  local visibilityEnd = maxEnd and string.find(spec, '\n', maxEnd + 1, true)
  -- Its third line is 'w' and its worker fragment (includes/handOff).
  local workerEnd = visibilityEnd and string.find(spec, '\n', visibilityEnd + 1, true)
  local handedOff = {}
  -- Never while any queue is paused: the parked reserve may be on a queue paused since it parked.
  if workerEnd and tonumber(string.sub(spec, 1, maxEnd - 1)) >= 1
    and string.find(string.sub(spec, workerEnd) .. '\n', '\n' .. ready .. '\n', 1, true) and redis.call('ZCARD', ready) == 0
    and redis.call('SCARD', pausedKey) == 0 then
    local token = redis.call('INCRBY', tokensKey, 1)
    redis.call('ZADD', leasesKey, '+inf', LEASES_ENCODING_MEMBER, digits(now + tonumber(string.sub(spec, maxEnd + 1, visibilityEnd - 1))), digits(token) .. ':' .. id)
    redis.call('HSET', runKey, ENCODING_FIELD, ENCODING_VALUE, id, digits(now) .. string.sub(spec, visibilityEnd + 2, workerEnd - 1))
    handedOff = { token, 1 }
  else
    redis.call('ZADD', ready, score, id)
    redis.call('PUBLISH', wakePrefix .. queue, origin)
  end
  -- The kept reply as JSON, which a resend decodes as it decodes keepReply's (includes/records).
  local kept = #handedOff == 0 and '[]' or '[' .. digits(handedOff[1]) .. ',1]'
  redis.call('SET', replayKey, '[[' .. digits(now) .. ',1],' .. kept .. ']', 'PX', 60000)
  return { { now, 1 }, handedOff }
end

--- @include "includes/enqueueGeneral"

local k = {
  seq = seqKey, revoked = KEYS[2], body = bodyKey, meta = metaKey, dlv = KEYS[5], routes = routesKey,
  leases = leasesKey, tokens = tokensKey, run = runKey, paused = pausedKey, replay = replayKey,
}
return enqueueGeneral(k)
