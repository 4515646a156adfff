--[[
  Settles one outcome (a lone task's round trip): settleJobs-12.lua for one update that moves a
  record whose STARTED is implied (includes/impliedRecord) to a terminal state, and acknowledges
  its delivery. The general path costs far more Redis work than this case needs (its tables, the
  definitions of its functions, which Redis runs on every call up to the point a script returns),
  so this checks what the general path would check for this case, the lease included (fencing),
  writes what it would write (the record, naming the run; the message ends, but its body stays for
  the finished record: see includes/taskLists) and replies as it would. If the record or lease is
  not as expected (no implied start, a stored record in the way such as a progress report, a lease
  no longer held, a resend), it goes on with the general path (includes/settleGeneral) in the same
  call.

  KEYS[1..12] as settleJobs-12.lua: leases, seq, revoked, body, meta, dlv, routes, run, the finished
          lists (SUCCESS, FAILURE, REVOKED), replay
  ARGV as settleJobs-12.lua's, for what the caller (broker-scripts.ts) checked: one update, of one
  shape with a task, an attempt, a terminal state and STARTED among its allowed sources; no reply
  kept ('0'), no next message. So: [3..4] list bounds; [5..9] record prefix, channel prefix, TTL,
  built-ins, batch token; [10] '1'; [11] the shape; [12] '1'; [13] the update packed; [14] '0';
  [15] the delivery's lease member; [16] '0'.
  Returns applyUpdates-9.lua's reply: { now, 3 } here.
  Events: the record on the task's event channel, if anyone listens.
]]
--- @include "includes/nowMs"
--- @include "includes/bulk"
--- @include "includes/leaseJobId"
--- @include "includes/recordValue"
--- @include "includes/ackLeases"
--- @include "includes/leaseHeld"
--- @include "includes/taskLists"

local leasesKey, bodyKey, metaKey, dlvKey, runKey = KEYS[1], KEYS[4], KEYS[5], KEYS[6], KEYS[8]
local recordPrefix, channelPrefix, ttl, batchToken = ARGV[5], ARGV[6], ARGV[7], ARGV[9]
local shape, packed, member = ARGV[11], ARGV[13], ARGV[15]
local lists = taskLists(KEYS[9], KEYS[10], KEYS[11], ARGV[3], ARGV[4], ttl, bodyKey, metaKey)

local taskJson, state, attempt = string.match(shape, '^([^\n]+)\n([^\n]+)\n(%d+)\n')
-- Packed as "<id JSON>\n1\n<payload>\n" (includes/packedFields). An id with escapes is left to the
-- general path, which decodes it (idFromJson there).
local idEnd = string.find(packed, '\n', 1, true)
local idJson = string.sub(packed, 1, idEnd - 1)
local now = nowMs()
if taskJson and not string.find(idJson, '\\', 1, true) then
  local id = string.sub(idJson, 2, -2)
  -- The run's STARTED implied (its start and worker filed), and its delivery still holding the
  -- lease (fencing; a lease lost, or a resend whose first run removed it, is the general path's to
  -- tell apart).
  local start = redis.call('HGET', runKey, id)
  if start and leaseHeld(leasesKey, member, now) then
    local nowDigits = digits(now)
    -- The run's worker, filed after its start (see runStart in includes/impliedRecord).
    local cut = string.find(start, ',', 1, true)
    local worker = cut and string.sub(start, cut) or ''
    -- An implied STARTED is seq 2, so this update's is 3; its token is "<batch token>.1".
    local value, headLength = recordValue(state, '3', attempt, nowDigits, batchToken .. '.', '1', digits(#taskJson), taskJson, idJson, worker .. string.sub(packed, idEnd + 3, -2))
    -- The record carries the run's start, its timeline's first line (includes/timelines); the
    -- message stays where it is, in the body hash, for the record (includes/taskLists).
    -- NX: a stored record wins over the implied STARTED; the general path deals with it.
    if redis.call('SET', recordPrefix .. id, value .. '\nR' .. start, 'PX', ttl, 'NX') then
      local channel = channelPrefix .. id
      if redis.call('PUBSUB', 'NUMPAT') > 0 or redis.call('PUBSUB', 'NUMSUB', channel)[2] > 0 then
        redis.call('PUBLISH', channel, string.sub(value, headLength + 1))
      end
      addToTaskList(lists, state, { KEPT .. nowDigits .. ' ' .. id }, now)
      finishLeases(leasesKey, metaKey, dlvKey, runKey, { member }, { id })
      return { now, 3 }
    end
  end
end

--- @include "includes/settleGeneral"

local k = {
  leases = leasesKey, seq = KEYS[2], revoked = KEYS[3], body = bodyKey, meta = metaKey, dlv = dlvKey,
  routes = KEYS[7], run = runKey, replay = KEYS[12], lists = lists,
}
return settleGeneral(k, now)
