-- The general enqueue (enqueueJobs-11.lua's whole contract): any groups, ids, etas, a resend. The
-- short enqueue script (enqueueOne) ends here when its case does not hold after all (a resent
-- call, an id with escapes), before it has written anything. Defined where a script needs it,
-- after its own short path: Redis runs a script's chunk on every call up to its return,
-- definitions included.
--- @include "includes/nowMs"
--- @include "includes/bulk"
--- @include "includes/leaseJobId"
--- @include "includes/packedFields"
--- @include "includes/records"
--- @include "includes/publishMessages"
--- @include "includes/handOff"

-- k: seq, revoked, body, meta, dlv, routes, leases, tokens, run, paused, replay keys. Returns
-- enqueueJobs-11.lua's reply.
local function enqueueGeneral(k)
  local now = nowMs()
  local b = newRecordBatch(ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8], now, k, k.replay)
  local replay = replayedReply(b)
  if replay then return replay end
  -- No hand-off while any queue is paused: the parked reserve may be on a queue paused since it parked.
  local handOff = ARGV[9] ~= '' and redis.call('SCARD', k.paused) == 0 and readHandOff(ARGV[9]) or nil
  local nGroups = tonumber(ARGV[10])
  local routes, messages = readMessages(11 + nGroups * 2)
  local n = #messages

  -- In use: an id with a record, or with a live message (a meta field: waiting, running or dead,
  -- its record implied), not a body alone (a finished task's, kept: its record decides). Only the
  -- messages of groups whose ids are not fresh are looked up.
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
    local metas = bulkQuery('HMGET', k.meta, ids)
    for j = 1, #checked do waiting[checked[j]] = metas[j] end
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
        local before = (waiting[m] and redis.call('HGET', k.body, msg.id)) or (earlier[msg.id] and earlier[msg.id].raw)
        local startedAt = waiting[m] and redis.call('HGET', k.run, msg.id)
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
end
