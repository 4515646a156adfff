--[[
  Enqueues messages, each group (one enqueue call) all or nothing: a group in which any id is in
  use (it has a record, or a message waiting under it) or repeats an id publishes nothing. Several
  calls made in one turn of a producer's event loop share one script call, one group each, applied
  in order (an id enqueued by an earlier group is in use for a later one).

  No record is written: a waiting message implies its PENDING record (seq 1, updatedAt its
  createdAt; see includes/impliedRecord), which the first update that moves it on stores. The
  PENDING event is published as for any other change.

  A group of fresh ids (generated for this call from 122 random bits, so never seen before and
  unknown to anyone until this call replies) skips what cannot apply to it: the in-use check, the
  revoked check, the stale delivery-count delete and the PENDING event (no one can be subscribed
  to an id nobody knows yet).

  Messages may be handed straight to a reserve of the enqueuing process that is asleep for lack of
  work (includes/handOff): leased to it here, with their STARTED implied, instead of being filed
  as ready.

  KEYS[1..6] as publishJobs-6.lua: seq, revoked, body, meta, dlv, routes
  KEYS[7] leases, KEYS[8] tokens (as reserveJobs-7.lua's KEYS[1..2])
  ARGV[1] wake channel prefix
  ARGV[2] priority unit
  ARGV[3] origin (the wake message, see publishJobs-6.lua)
  ARGV[4..8] record key prefix, event channel prefix, record TTL, built-in states and batch token
          (as applyUpdates-2.lua's ARGV[1..5])
  ARGV[9] the hand-off ('' for none; see readHandOff in includes/handOff)
  ARGV[10] number of groups, then per group (in message order): its number of messages, and 1 if
          its ids are fresh, else 0
  then the messages as publishJobs-6.lua's ARGV from ARGV[4] (route table, count, packed)
  Returns { enqueued, handedOff }:
          enqueued: applyUpdates-2.lua's reply for one PENDING creation per message: seq 1 if
          enqueued; 0 if its group was refused, with the record in its way (false if none);
          handedOff: {} if none, else { lease token, then the message number (1-based, in ARGV
          order) of each message handed off }; each is leased as "<token>:<id>".
]]
--- @include "includes/nowMs"
--- @include "includes/bulk"
--- @include "includes/leaseJobId"
--- @include "includes/replayKey"

-- The usual call first: one message with a fresh id, due now (a lone delay()). The general path
-- below costs about three times its Redis work (the batch tables, and the definitions of its
-- functions, which Redis runs on every call up to the point a script returns), and that is most of
-- a lone task's round trip. So this path stores what the general path would (publishMessages, and
-- pickHandOffs / leaseHandOffs when a parked reserve may take it) and replies, and keeps the
-- reply, as it would; anything else (a batch, ids not fresh, an eta, a resent call) falls through
-- to the general path before anything is written.
-- ARGV here: [9] the hand-off; [10..12] one group of one fresh message; [13] one route, [14..18]
-- its ready key, delayed key, ready-keys set, queue, route JSON; [19] one message, [20] it packed.
if #ARGV == 20 and ARGV[10] == '1' and ARGV[11] == '1' and ARGV[12] == '1' and ARGV[13] == '1' and ARGV[19] == '1' then
  local packed = ARGV[20]
  local idEnd = string.find(packed, '\n', 1, true)
  local rawEnd = idEnd and string.find(packed, '\n', idEnd + 1, true)
  local rank, eta, deliveries, after
  if rawEnd then rank, eta, deliveries, after = string.match(packed, '^1\n(%d+)\n([^\n]*)\n(%d+)\n()', rawEnd + 1) end
  local replayKey = replayKeyOf(ARGV[4], ARGV[8])
  if eta == '' and deliveries == '0' and after == #packed + 1 and not string.find(string.sub(packed, 1, idEnd), '\\', 1, true)
    and redis.call('EXISTS', replayKey) == 0 then
    local now = nowMs()
    local id = string.sub(packed, 2, idEnd - 2)
    local ready, spec = ARGV[14], ARGV[9]
    redis.call('SADD', ARGV[16], ready)
    redis.call('HSET', KEYS[6], ready, ARGV[18])
    local score = digits(tonumber(rank) * tonumber(ARGV[2]) + redis.call('INCRBY', KEYS[1], 1))
    redis.call('HSET', KEYS[3], id, string.sub(packed, idEnd + 1, rawEnd - 1))
    redis.call('HSET', KEYS[4], ENCODING_FIELD, ENCODING_VALUE, id, score .. ' ' .. ready)
    -- Handed off if a parked reserve takes from its ready key, has a free slot (its first line) and
    -- nothing waits there ahead of it; its lease lasts the reserve's visibility timeout (second line).
    local maxEnd = string.find(spec, '\n', 1, true)
    local visibilityEnd = maxEnd and string.find(spec, '\n', maxEnd + 1, true)
    local handedOff = {}
    if visibilityEnd and tonumber(string.sub(spec, 1, maxEnd - 1)) >= 1
      and string.find(string.sub(spec, visibilityEnd) .. '\n', '\n' .. ready .. '\n', 1, true) and redis.call('ZCARD', ready) == 0 then
      local token = redis.call('INCRBY', KEYS[8], 1)
      redis.call('ZADD', KEYS[7], '+inf', LEASES_ENCODING_MEMBER, digits(now + tonumber(string.sub(spec, maxEnd + 1, visibilityEnd - 1))), digits(token) .. ':' .. id)
      redis.call('HSET', runKeyOf(KEYS[3]), ENCODING_FIELD, ENCODING_VALUE, id, digits(now))
      handedOff = { token, 1 }
    else
      redis.call('ZADD', ready, score, id)
      redis.call('PUBLISH', ARGV[1] .. ARGV[17], ARGV[3])
    end
    -- The kept reply as JSON, which a resend decodes as it decodes keepReply's (includes/records).
    local kept = #handedOff == 0 and '[]' or '[' .. digits(handedOff[1]) .. ',1]'
    redis.call('SET', replayKey, '[[' .. digits(now) .. ',1],' .. kept .. ']', 'PX', 60000)
    return { { now, 1 }, handedOff }
  end
end

--- @include "includes/packedFields"
--- @include "includes/records"
--- @include "includes/publishMessages"
--- @include "includes/handOff"

local k = { seq = KEYS[1], revoked = KEYS[2], body = KEYS[3], meta = KEYS[4], dlv = KEYS[5], routes = KEYS[6], leases = KEYS[7], tokens = KEYS[8] }
local now = nowMs()
local b = newRecordBatch(ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8], now, k.body)
local replay = replayedReply(b)
if replay then return replay end
local handOff = readHandOff(ARGV[9])
local nGroups = tonumber(ARGV[10])
local routes, messages = readMessages(11 + nGroups * 2)
local n = #messages

-- In use: an id with a record, or with a message waiting under it (its implied PENDING). Only
-- the messages of groups whose ids are not fresh are looked up.
local groups, checked, ids, keys = {}, {}, {}, {}
local first = 1
for g = 1, nGroups do
  local size, fresh = tonumber(ARGV[9 + g * 2]), ARGV[10 + g * 2] == '1'
  groups[g] = { first = first, last = first + size - 1, fresh = fresh }
  for m = first, first + size - 1 do
    if fresh then
      messages[m].fresh = true
    else
      checked[#checked + 1] = m
      ids[#ids + 1] = messages[m].id
      keys[#keys + 1] = b.prefix .. messages[m].id
    end
  end
  first = first + size
end
local records, waiting = {}, {}
for start = 1, #keys, 4000 do
  local part = redis.call('MGET', unpack(keys, start, math.min(start + 3999, #keys)))
  for j = 1, #part do records[checked[start + j - 1]] = part[j] end
end
if #ids > 0 then
  local bodies = bulkQuery('HMGET', k.body, ids)
  for j = 1, #checked do waiting[checked[j]] = bodies[j] end
end

local reply, extras, accepted, earlier = { now }, {}, {}, {}
for _, group in ipairs(groups) do
  local free, seen = true, {}
  if not group.fresh then
    for m = group.first, group.last do
      local id = messages[m].id
      if seen[id] or earlier[id] or records[m] or waiting[m] then free = false end
      seen[id] = true
    end
  end
  for m = group.first, group.last do
    local msg = messages[m]
    if free then
      earlier[msg.id] = msg
      reply[m + 1] = 1
      accepted[#accepted + 1] = msg
      -- Our producers' messages are always readable; one that is not has no record to announce.
      local f = not group.fresh and impliedFields(msg.raw)
      if f then redis.call('PUBLISH', b.channels .. msg.id, impliedJson(msg.idJson, f)) end
    else
      -- Refused: the record in the way, as stored or implied (false if none: a repeat in this group).
      reply[m + 1] = 0
      local before = waiting[m] or (earlier[msg.id] and earlier[msg.id].raw)
      local startedAt = waiting[m] and redis.call('HGET', runKeyOf(k.body), msg.id)
      extras[#extras + 1] = records[m] or (before and impliedRecord(msg.idJson, before, startedAt)) or false
    end
  end
end
for _, v in ipairs(extras) do reply[#reply + 1] = v end
local picks = handOff and pickHandOffs(handOff, accepted, now) or {}
publishMessages(k, now, tonumber(ARGV[2]), ARGV[1], ARGV[3], routes, accepted)
local handedOff = {}
if #picks > 0 then
  handedOff[1] = leaseHandOffs(k, handOff, picks, now)
  local number = {}
  for m, msg in ipairs(messages) do number[msg] = m end
  for j, msg in ipairs(picks) do handedOff[j + 1] = number[msg] end
end
return keepReply(b, { reply, handedOff })
