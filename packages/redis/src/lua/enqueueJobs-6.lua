--[[
  Creates the PENDING records of messages and publishes them, in one step, per group all or
  nothing: a group (one enqueue call) in which any id already has a record, or repeats an id,
  creates and publishes nothing. Several calls made in one turn of a producer's event loop share
  one script call, one group each, applied in order (an id created by an earlier group is in use
  for a later one).

  KEYS[1..6] as publishJobs-6.lua: seq, revoked, body, meta, dlv, routes
  ARGV[1] wake channel prefix
  ARGV[2] priority unit
  ARGV[3] origin (the wake message, see publishJobs-6.lua)
  ARGV[4] number of groups, then the number of messages of each group (in message order)
  then the record updates as applyUpdates-1.lua's ARGV (all PENDING creations, one per message),
  then the messages as publishJobs-6.lua's ARGV from ARGV[4] (route table, count, packed), in the
          same order as the updates
  Returns applyUpdates-1.lua's reply: a refused group's updates are all refused (seq 0), each with
  the stored value in its way (false if none).
]]
--- @include "includes/nowMs"
--- @include "includes/bulk"
--- @include "includes/packedFields"
--- @include "includes/records"
--- @include "includes/publishMessages"

local k = { seq = KEYS[1], revoked = KEYS[2], body = KEYS[3], meta = KEYS[4], dlv = KEYS[5], routes = KEYS[6] }
local now = nowMs()
local nGroups = tonumber(ARGV[4])
local b, at = readRecordBatch(5 + nGroups, now)
local replay = replayedReply(b)
if replay then return replay end
local routes, messages = readMessages(at)
local accepted = {}
local first = 1
for g = 1, nGroups do
  local last = first + tonumber(ARGV[4 + g]) - 1
  -- In use: a record not written by this very batch (a resend after a lost reply is not a clash).
  local free, seen = true, {}
  for u = first, last do
    local stored = storedRecord(b, u)
    local id = b.updates[u].id
    if seen[id] or (stored and recordToken(stored) ~= b.updates[u].token) then free = false end
    seen[id] = true
  end
  for u = first, last do
    if free then
      applyRecord(b, u)
      accepted[#accepted + 1] = messages[u]
    else
      refuseRecord(b, u)
    end
  end
  first = last + 1
end
publishMessages(k, now, tonumber(ARGV[2]), ARGV[1], ARGV[3], routes, accepted)
return finalReply(b)
