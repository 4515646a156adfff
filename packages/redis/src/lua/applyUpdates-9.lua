--[[
  Applies task state updates. Each is checked against the state machine atomically: the caller
  passes the states the record may be in for the update to be allowed (core's allowedSources), so
  the transition table has one home, in TypeScript. An accepted update bumps seq, stores the
  record (refreshing its TTL) and publishes it on the task's event channel.

  Stored value: "<state>\n<seq>\n<attempt>\n<updatedAt>\n<token>\n<task JSON length>\n<task JSON><record JSON>"
  The header lets this script check a move without decoding JSON. The token identifies the update
  that wrote it: a batch resent after a reconnect lost its reply is recognised, not applied twice.

  KEYS[1] the record key of the first update: routes the call to the prefix's hash slot. Every
          record key is ARGV[1] .. id, in that same slot ({prefix} hash tag).
  KEYS[2] the broker's message bodies (hash id -> raw): a live message without a record implies
          its PENDING record (includes/impliedRecord)
  KEYS[3] the broker's implied starts (hash id -> start ms): with it, its STARTED record
  KEYS[4] where this call keeps its reply for a resend ('{p}:replay:<batch token>', see
          replayedReply in includes/records)
  KEYS[5] the broker's leases (zset lease member -> expiry), for fenced updates
  KEYS[6..8] the finished lists of SUCCESS, FAILURE and REVOKED tasks (includes/taskLists)
  KEYS[9] the broker's message meta (hash id -> routing): a message is live (waiting, running or
          dead) while it has one; a body without one is a finished task's, kept for its record
          (includes/taskLists), and implies nothing
  ARGV[1] record key prefix
  ARGV[2] event channel prefix
  ARGV[3] record TTL ms
  ARGV[4] the built-in states as ",PENDING,STARTED,...,": any other stored state is a user state
  ARGV[5] batch token (unique per call; update u's token is "<batch token>.<u>")
  ARGV[6] number of update shapes, then the shapes, each "<task JSON>\n<state>\n<attempt>\n<allowed
          sources>": task JSON ('' keeps the stored one), state, attempt ('' keeps the stored one,
          1 on creation), the states the record may be in as ",A,B," ("no record" is the empty
          name, so ",,"; any user state is "*user*")
  then the number of updates, then the updates packed in one argument (includes/packedFields),
          3 fields each: id as JSON, the index of its shape, payload JSON fragment
          (',"meta":{...}' or '')
  then '1' to keep the reply for a resend, or '0' if every update moves to a terminal state (see
          replayedReply in includes/records)
  then the finished lists' count bound (taskListLimit) and age bound in ms (taskListTtl)
  then, if any update is made for a delivery (fencing), per update the lease member of its
          delivery, '' for an update made for none: such an update is applied only while that
          lease is held (see applyRecord in includes/applyRecord)
  Returns { now, seq, 0 or -1 per update (0: refused by the state machine; -1: refused because its
            delivery no longer holds its lease), then in update order the extras:
            for a refused update its stored value (false if none);
            for an applied update that kept the stored task or attempt: attempt, task JSON }
  Each state an update replaces is kept in the task's timeline, and each id finished is added to
  its state's list (includes/taskLists).
  Events: each applied update's record on its task's event channel, if anyone listens.
]]
--- @include "includes/nowMs"
--- @include "includes/packedFields"
--- @include "includes/records"

local bodies, runs, replayKey, leases, metas = KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[9]
local b, at = readRecordBatch(1, nowMs(), { body = bodies, meta = metas, run = runs }, replayKey)
local replay = replayedReply(b)
if replay then return replay end
b.leases = leases
b.lists = taskLists(KEYS[6], KEYS[7], KEYS[8], ARGV[at], ARGV[at + 1], ARGV[3], bodies, metas)
for u = 1, #b.updates do
  local member = ARGV[at + 1 + u]
  if member and member ~= '' then b.updates[u].member = member end
  applyRecord(b, u)
end
return finalReply(b)
