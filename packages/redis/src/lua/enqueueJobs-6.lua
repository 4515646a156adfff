--[[
  Enqueues messages, each group (one enqueue call) all or nothing: a group in which any id is in
  use (it has a record, or a message waiting under it) or repeats an id publishes nothing. Several
  calls made in one turn of a producer's event loop share one script call, one group each, applied
  in order (an id enqueued by an earlier group is in use for a later one).

  No record is written: a waiting message implies its PENDING record (seq 1, updatedAt its
  createdAt; see includes/impliedRecord), which the first update that moves it on stores. The
  PENDING event is published as for any other change.

  KEYS[1..6] as publishJobs-6.lua: seq, revoked, body, meta, dlv, routes
  ARGV[1] wake channel prefix
  ARGV[2] priority unit
  ARGV[3] origin (the wake message, see publishJobs-6.lua)
  ARGV[4..8] record key prefix, event channel prefix, record TTL, built-in states and batch token
          (as applyUpdates-2.lua's ARGV[1..5])
  ARGV[9] number of groups, then the number of messages of each group (in message order)
  then the messages as publishJobs-6.lua's ARGV from ARGV[4] (route table, count, packed)
  Returns applyUpdates-2.lua's reply for one PENDING creation per message: seq 1 if enqueued; 0 if
  its group was refused, with the record in its way (false if none).
]]
--- @include "includes/nowMs"
--- @include "includes/bulk"
--- @include "includes/packedFields"
--- @include "includes/records"
--- @include "includes/publishMessages"

local k = { seq = KEYS[1], revoked = KEYS[2], body = KEYS[3], meta = KEYS[4], dlv = KEYS[5], routes = KEYS[6] }
local now = nowMs()
local b = newRecordBatch(ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8], now, k.body)
local replay = replayedReply(b)
if replay then return replay end
local nGroups = tonumber(ARGV[9])
local routes, messages = readMessages(10 + nGroups)
local n = #messages

-- In use: an id with a record, or with a message waiting under it (its implied PENDING).
local ids, keys, records = {}, {}, {}
for m = 1, n do
  ids[m] = messages[m].id
  keys[m] = b.prefix .. ids[m]
end
for start = 1, n, 4000 do
  local part = redis.call('MGET', unpack(keys, start, math.min(start + 3999, n)))
  for j = 1, #part do records[start + j - 1] = part[j] end
end
local waiting = bulkQuery('HMGET', k.body, ids)

local reply, extras, accepted, earlier = { now }, {}, {}, {}
local first = 1
for g = 1, nGroups do
  local last = first + tonumber(ARGV[9 + g]) - 1
  local free, seen = true, {}
  for m = first, last do
    local id = ids[m]
    if seen[id] or earlier[id] or records[m] or waiting[m] then free = false end
    seen[id] = true
  end
  for m = first, last do
    local msg = messages[m]
    if free then
      earlier[msg.id] = msg
      reply[m + 1] = 1
      accepted[#accepted + 1] = msg
      -- Our producers' messages are always readable; one that is not has no record to announce.
      local f = impliedFields(msg.raw)
      if f then redis.call('PUBLISH', b.channels .. msg.id, impliedJson(msg.idJson, f)) end
    else
      -- Refused: the record in the way, as stored or implied (false if none: a repeat in this group).
      reply[m + 1] = 0
      local before = waiting[m] or (earlier[msg.id] and earlier[msg.id].raw)
      extras[#extras + 1] = records[m] or (before and impliedRecord(msg.idJson, before)) or false
    end
  end
  first = last + 1
end
for _, v in ipairs(extras) do reply[#reply + 1] = v end
publishMessages(k, now, tonumber(ARGV[2]), ARGV[1], ARGV[3], routes, accepted)
return keepReply(b, reply)
