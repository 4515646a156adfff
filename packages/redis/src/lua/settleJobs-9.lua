--[[
  Stores task outcomes and settles their deliveries, each in one step: an accepted update (checked
  by the state machine as in applyUpdates-5.lua, and published) with a next message requeues it in
  place of its delivery (as requeueJob-8.lua: only if the lease is still held); anything else, a
  refused update included, acknowledges the delivery (as ackJobs-5.lua).

  KEYS[1..8] as requeueJob-8.lua: leases, seq, revoked, body, meta, dlv, routes, run
  KEYS[9] replay   where this call keeps its reply ('{p}:replay:<batch token>', see replayedReply
          in includes/records)
  ARGV[1] wake channel prefix
  ARGV[2] priority unit
  then the record updates as applyUpdates-5.lua's ARGV, one per delivery,
  then per update: the lease member of its delivery, the number of fields of its next message
          (0 for none, else 10), and those fields as requeueJob-8.lua's ARGV[4..13]
  Returns applyUpdates-5.lua's reply.
  Events: each applied update's record on its event channel (if anyone listens); a wake-up on the
  wake channel of a queue that a requeued message made ready.
  The usual calls have their own scripts, with this one's KEYS and ARGV: settleOne-9.lua (a lone
  outcome) and settleShaped-9.lua (a batch of outcomes of one shape); the caller picks.
]]
--- @include "includes/settleGeneral"

local leases, seq, revoked, body, meta, dlv, routes, run, replay = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8], KEYS[9]
local k = { leases = leases, seq = seq, revoked = revoked, body = body, meta = meta, dlv = dlv, routes = routes, run = run, replay = replay }
return settleGeneral(k, nowMs())
