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
--- @include "includes/packedFields"
--- @include "includes/leaseJobId"
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
