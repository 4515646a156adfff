--[[
  Stores task outcomes and settles their deliveries, each in one step: an accepted update (checked
  by the state machine as in applyUpdates-2.lua, and published) with a next message requeues it in
  place of its delivery (as requeueJob-7.lua: only if the lease is still held); anything else, a
  refused update included, acknowledges the delivery (as ackJobs-4.lua).

  KEYS[1..7] as requeueJob-7.lua: leases, seq, revoked, body, meta, dlv, routes
  ARGV[1] wake channel prefix
  ARGV[2] priority unit
  then the record updates as applyUpdates-2.lua's ARGV, one per delivery,
  then per update: the lease member of its delivery, the number of fields of its next message
          (0 for none, else 10), and those fields as requeueJob-7.lua's ARGV[4..13]
  Returns applyUpdates-2.lua's reply.
]]
--- @include "includes/nowMs"
--- @include "includes/bulk"
--- @include "includes/leaseJobId"
--- @include "includes/recordValue"
--- @include "includes/ackLeases"
--- @include "includes/watchedChannels"

-- The usual calls first: outcomes of runs whose STARTED is implied (includes/impliedRecord),
-- moving them to a terminal state and acknowledging their deliveries, alone (a lone task's round
-- trip) or in a batch of one shape (a worker's tasks of one kind: SUCCESS of one task at attempt
-- 1). For them the general path below costs two to three times as much (a table per update, the
-- batch's bookkeeping, the definitions of its functions, which Redis runs on every call up to the
-- point a script returns). So these paths check the same things for their case, write what the
-- general path would, and reply as it would. Anything else (a stored record, no implied start, a
-- move the sources do not allow, a next message, a kept reply, several shapes) falls through to the
-- general path, with nothing written but the records these paths could write (SET NX, events
-- published): the general path finds those holding this call's update tokens and takes them as
-- applied, as it does for a resend.
-- ARGV here: [3..7] record prefix, channel prefix, TTL, built-ins, batch token; [8] '1' shape;
-- [9] the shape; [10] n updates; [11] them packed; [12] '0' (no kept reply); then per update its
-- lease member and '0' (no next message).

-- A lone outcome. The batch path below would take it too, for 8 % more Redis work per round trip
-- (its tables and loops), so it has its own few lines.
if #ARGV == 14 and ARGV[8] == '1' and ARGV[10] == '1' and ARGV[12] == '0' and ARGV[14] == '0' then
  local taskJson, state, attempt, sources = string.match(ARGV[9], '^([^\n]+)\n([^\n]+)\n(%d+)\n(.*)$')
  local packed = ARGV[11]
  local idEnd = string.find(packed, '\n', 1, true)
  local idJson = idEnd and string.sub(packed, 1, idEnd - 1)
  -- One update, of shape 1 (its payload has no newline: the next one ends the argument), with an
  -- id without escapes (see idFromJson in includes/packedFields).
  if taskJson and idJson and string.find(sources, ',STARTED,', 1, true) and string.sub(packed, idEnd + 1, idEnd + 2) == '1\n'
    and string.find(packed, '\n', idEnd + 3, true) == #packed and not string.find(idJson, '\\', 1, true) then
    local id = string.sub(idJson, 2, -2)
    local key, runKey = ARGV[3] .. id, runKeyOf(KEYS[4])
    if redis.call('HEXISTS', runKey, id) == 1 then
      local now = nowMs()
      local nowDigits = digits(now)
      -- An implied STARTED is seq 2, so this update's is 3; its token is "<batch token>.1".
      local value, headLength = recordValue(state, '3', attempt, nowDigits, ARGV[7] .. '.', '1', digits(#taskJson), taskJson, idJson, string.sub(packed, idEnd + 3, -2))
      -- NX: a stored record wins over the implied STARTED; the general path deals with it.
      if redis.call('SET', key, value, 'PX', ARGV[5], 'NX') then
        local channel = ARGV[4] .. id
        if redis.call('PUBSUB', 'NUMPAT') > 0 or redis.call('PUBSUB', 'NUMSUB', channel)[2] > 0 then
          redis.call('PUBLISH', channel, string.sub(value, headLength + 1))
        end
        ackLeases(KEYS[1], KEYS[4], KEYS[5], KEYS[6], { ARGV[13] })
        return { now, 3 }
      end
    end
  end
end

-- A batch: at concurrency 100 this path cut Redis's work per task by a fifth.
local now = nowMs()
local n = tonumber(ARGV[10])
if ARGV[8] == '1' and ARGV[12] == '0' and n and n > 1 and #ARGV == 12 + 2 * n then
  local taskJson, state, attempt, sources = string.match(ARGV[9], '^([^\n]+)\n([^\n]+)\n(%d+)\n(.*)$')
  local fast = taskJson ~= nil and string.find(sources, ',STARTED,', 1, true) ~= nil
  local members, ids, idJsons, payloads = {}, {}, {}, {}
  local find, sub, packed, pos = string.find, string.sub, ARGV[11], 1
  for u = 1, fast and n or 0 do
    -- Packed as "<id JSON>\n1\n<payload>\n" (includes/packedFields: one shape, so its index is
    -- 1), with no next message, and an id without escapes (see idFromJson there). Inline, not a
    -- function: a call per update cost 1.5 % of Redis's work per task.
    local idEnd = find(packed, '\n', pos, true) or #packed -- no newline: no bytes after it either
    local one, newline = string.byte(packed, idEnd + 1, idEnd + 2)
    local payloadEnd = one == 49 and newline == 10 and ARGV[12 + 2 * u] == '0' and find(packed, '\n', idEnd + 3, true)
    local idJson = payloadEnd and sub(packed, pos, idEnd - 1)
    if not idJson or find(idJson, '\\', 1, true) then
      fast = false
      break
    end
    members[u], idJsons[u], ids[u] = ARGV[11 + 2 * u], idJson, sub(idJson, 2, -2)
    payloads[u] = sub(packed, idEnd + 3, payloadEnd - 1)
    pos = payloadEnd + 1
  end
  -- Every run's STARTED implied: its start is filed (a stored record is found by SET NX below).
  local starts = fast and pos == #packed + 1 and bulkQuery('HMGET', runKeyOf(KEYS[4]), ids)
  for u = 1, starts and n or 0 do
    if not starts[u] then
      starts = false
      break
    end
  end
  if starts then
    local nowDigits, taskLength, tokenPrefix, prefix, ttl = digits(now), digits(#taskJson), ARGV[7] .. '.', ARGV[3], ARGV[5]
    -- An implied STARTED is seq 2, so these updates' are 3; update u's token is "<batch token>.<u>".
    local written, values, heads, stored = {}, {}, {}, false
    for u = 1, n do
      local value, headLength = recordValue(state, '3', attempt, nowDigits, tokenPrefix, digits(u), taskLength, taskJson, idJsons[u], payloads[u])
      if redis.call('SET', prefix .. ids[u], value, 'PX', ttl, 'NX') then
        written[#written + 1] = ids[u]
        values[#written] = value
        heads[#written] = headLength
      else
        stored = true -- a stored record wins over the implied STARTED: the general path deals with it
      end
    end
    local heard = watchedChannels(ARGV[4], written)
    for w = 1, #written do
      if heard == nil or heard[w] then redis.call('PUBLISH', ARGV[4] .. written[w], string.sub(values[w], heads[w] + 1)) end
    end
    if not stored then
      ackLeases(KEYS[1], KEYS[4], KEYS[5], KEYS[6], members)
      local reply = { now }
      for u = 1, n do reply[u + 1] = 3 end
      return reply
    end
  end
end

--- @include "includes/packedFields"
--- @include "includes/storeJob"
--- @include "includes/records"

local k = { leases = KEYS[1], seq = KEYS[2], revoked = KEYS[3], body = KEYS[4], meta = KEYS[5], dlv = KEYS[6], routes = KEYS[7] }
local unit = tonumber(ARGV[2])
local b, at = readRecordBatch(3, now, k.body)
local replay = replayedReply(b)
if replay then return replay end
local acks = {}
for u = 1, #b.updates do
  local member, width = ARGV[at], ARGV[at + 1]
  width = width == '0' and 0 or tonumber(width)
  local applied = applyRecord(b, u)
  if applied and width > 0 then
    if redis.call('ZREM', k.leases, member) == 1 then
      forgetJobs(k.body, k.meta, k.dlv, { leaseJobId(member) })
      local f = {}
      for j = at + 2, at + 1 + width do f[#f + 1] = ARGV[j] end
      if storeJob(k, now, redis.call('INCR', k.seq), unit, f) == 1 then
        redis.call('PUBLISH', ARGV[1] .. f[6], '')
      end
    end
  else
    acks[#acks + 1] = member
  end
  at = at + 2 + width
end
ackLeases(k.leases, k.body, k.meta, k.dlv, acks)
return finalReply(b)
