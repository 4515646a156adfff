-- The general settle (settleJobs-12.lua's whole contract): any updates, shapes and next messages,
-- a kept reply. Fenced: an update whose delivery no longer holds its lease is refused (seq -1 in
-- the reply), and its delivery is neither acknowledged nor requeued (see applyRecord). A delivery
-- settled with a finished record keeps its message's body for that record (includes/taskLists),
-- as the short paths do. The short settle scripts (settleOne, settleShaped) end here when their
-- case does not hold after all (a stored record in the way, no implied start), so that one atomic
-- call still settles everything; the records they wrote with SET NX hold this call's update
-- tokens, and are taken as applied, as for a resend. Defined where a script needs it, after its
-- own short path: Redis runs a script's chunk on every call up to its return, definitions
-- included.
--- @include "includes/nowMs"
--- @include "includes/bulk"
--- @include "includes/leaseJobId"
--- @include "includes/ackLeases"
--- @include "includes/packedFields"
--- @include "includes/storeJob"
--- @include "includes/records"

-- k: leases, seq, revoked, body, meta, dlv, routes, run, replay keys and the finished lists
-- (includes/taskLists). Returns applyUpdates-9.lua's reply.
local function settleGeneral(k, now)
  local unit = tonumber(ARGV[2])
  local b, at = readRecordBatch(5, now, k, k.replay)
  local replay = replayedReply(b)
  if replay then return replay end
  b.leases = k.leases
  b.lists = k.lists
  -- finished: the deliveries acknowledged with a finished record, which keeps their bodies
  -- (includes/taskLists); acks: the others, acknowledged with their messages.
  local acks, finished = {}, {}
  for u = 1, #b.updates do
    local member, width = ARGV[at], ARGV[at + 1]
    width = width == '0' and 0 or tonumber(width)
    local up = b.updates[u]
    up.member = member
    up.keepsBody = width == 0 and k.lists.keys[up.state] ~= nil
    local applied = applyRecord(b, u)
    if b.seqs[u] == -1 then
      -- The lease is lost: whoever holds the message now settles it (or the next reserve reclaims it).
    elseif applied and up.keepsBody then
      finished[#finished + 1] = member
    elseif applied and width > 0 then
      if redis.call('ZREM', k.leases, member) == 1 then
        forgetJobs(k.body, k.meta, k.dlv, k.run, { leaseJobId(member) })
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
  ackLeases(k.leases, false, k.meta, k.dlv, k.run, finished, now)
  ackLeases(k.leases, k.body, k.meta, k.dlv, k.run, acks, now)
  return finalReply(b)
end
