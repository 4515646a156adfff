--[[
  Stores task outcomes and settles their deliveries, each in one step: an accepted update (checked
  by the state machine as in applyUpdates-9.lua, and published) with a next message requeues it in
  place of its delivery (as requeueJob-8.lua: only if the lease is still held); anything else, a
  refused update included, acknowledges the delivery (as ackJobs-5.lua), but the body of a message
  whose record an accepted update finished stays for that record (includes/taskLists).

  KEYS[1..8] as requeueJob-8.lua: leases, seq, revoked, body, meta, dlv, routes, run
  KEYS[9..11] the finished lists of SUCCESS, FAILURE and REVOKED tasks (includes/taskLists)
  KEYS[12] replay  where this call keeps its reply ('{p}:replay:<batch token>', see replayedReply
          in includes/records)
  ARGV[1] wake channel prefix
  ARGV[2] priority unit
  ARGV[3] the finished lists' count bound (taskListLimit)
  ARGV[4] their age bound in ms (taskListTtl)
  then the record updates as applyUpdates-9.lua's ARGV[1..] up to its keep-reply flag, one per delivery,
  then per update: the lease member of its delivery, the number of fields of its next message
          (0 for none, else 10), and those fields as requeueJob-8.lua's ARGV[4..13]
  Returns applyUpdates-9.lua's reply.
  Each state an update replaces is kept in the task's timeline, and each id finished is added to
  its state's list (includes/taskLists).
  Events: each applied update's record on its event channel (if anyone listens); a wake-up on the
  wake channel of a queue that a requeued message made ready.
  The usual calls have their own scripts, with this one's KEYS and ARGV: settleOne-12.lua (a lone
  outcome) and settleShaped-12.lua (a batch of outcomes of one shape); the caller picks.
]]
--- @include "includes/settleGeneral"

local k = {
  leases = KEYS[1], seq = KEYS[2], revoked = KEYS[3], body = KEYS[4], meta = KEYS[5], dlv = KEYS[6], routes = KEYS[7], run = KEYS[8],
  lists = taskLists(KEYS[9], KEYS[10], KEYS[11], ARGV[3], ARGV[4], ARGV[7], KEYS[4], KEYS[5]), replay = KEYS[12],
}
return settleGeneral(k, nowMs())
