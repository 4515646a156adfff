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

-- The usual call first: one outcome of a run whose STARTED is implied (includes/impliedRecord),
-- moving it to a terminal state and acknowledging its delivery. Its Redis work is a handful of
-- commands, but the general path below costs three times as much for it (the batch tables, the
-- definitions of its functions, which Redis runs on every call up to the point a script returns),
-- and that is most of a lone task's round trip. So this path checks the same things for this one
-- case, writes what the general path would, and replies as it would; anything else (a stored
-- record, no implied start, a move the sources do not allow, a next message, a kept reply, a
-- batch) falls through to the general path before anything is written.
-- ARGV here: [3..7] record prefix, channel prefix, TTL, built-ins, batch token; [8] '1' shape;
-- [9] the shape; [10] '1' update; [11] it packed; [12] '0' (no kept reply); [13] lease member;
-- [14] '0' (no next message).
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
      -- An implied STARTED is seq 2, so this update's is 3; the token is "<batch token>.1".
      local value, headLength = recordValue(state, '3', attempt, nowDigits, ARGV[7] .. '.', '1', digits(#taskJson), taskJson, idJson, string.sub(packed, idEnd + 3, -2))
      -- NX: a stored record wins over the implied STARTED; the general path deals with it.
      if redis.call('SET', key, value, 'PX', ARGV[5], 'NX') then
        local channel = ARGV[4] .. id
        if redis.call('PUBSUB', 'NUMPAT') > 0 or redis.call('PUBSUB', 'NUMSUB', channel)[2] > 0 then
          redis.call('PUBLISH', channel, string.sub(value, headLength + 1))
        end
        if redis.call('ZREM', KEYS[1], ARGV[13]) == 1 then
          local jobId = leaseJobId(ARGV[13])
          if jobId then forgetJobs(KEYS[4], KEYS[5], KEYS[6], { jobId }) end
        end
        return { now, 3 }
      end
    end
  end
end

--- @include "includes/packedFields"
--- @include "includes/ackLeases"
--- @include "includes/storeJob"
--- @include "includes/records"

local k = { leases = KEYS[1], seq = KEYS[2], revoked = KEYS[3], body = KEYS[4], meta = KEYS[5], dlv = KEYS[6], routes = KEYS[7] }
local now = nowMs()
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
