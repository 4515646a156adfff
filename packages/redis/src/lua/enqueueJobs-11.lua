--[[
  Enqueues messages, each group (one enqueue call) all or nothing: a group in which any id is in
  use (it has a record, or a message waiting under it) or repeats an id publishes nothing. Several
  calls made in one turn of a producer's event loop share one script call, one group each, applied
  in order (an id enqueued by an earlier group is in use for a later one).

  No record is written: a waiting message implies its PENDING record (seq 1, updatedAt its
  createdAt; see includes/impliedRecord), which the first update that moves it on stores. The
  PENDING event is published as for any other change.

  A group of fresh ids (generated for this call from 122 random bits, so never seen before and
  unknown to anyone until this call replies) skips what cannot apply to it: the in-use check, the
  revoked check, the stale delivery-count delete and the PENDING event (no one can be subscribed
  to an id nobody knows yet).

  Messages may be handed straight to a reserve of the enqueuing process that is asleep for lack of
  work (includes/handOff): leased to it here, with their STARTED implied, instead of being filed
  as ready.

  KEYS[1..6] as publishJobs-7.lua: seq, revoked, body, meta, dlv, routes
  KEYS[7] leases, KEYS[8] tokens (as reserveJobs-9.lua's KEYS[1..2])
  KEYS[9] run      hash id -> start of a run whose STARTED is implied (a hand-off's)
  KEYS[10] paused  set of paused queues: no hand-off while any queue is paused
  KEYS[11] replay  where this call keeps its reply ('{p}:replay:<batch token>', see replayedReply
          in includes/records)
  ARGV[1] wake channel prefix
  ARGV[2] priority unit
  ARGV[3] origin (the wake message, see publishJobs-7.lua)
  ARGV[4..8] record key prefix, event channel prefix, record TTL, built-in states and batch token
          (as applyUpdates-9.lua's ARGV[1..5])
  ARGV[9] the hand-off ('' for none; see readHandOff in includes/handOff)
  ARGV[10] number of groups, then per group (in message order): its number of messages, and 1 if
          its ids are fresh, else 0
  then the messages as publishJobs-7.lua's ARGV from ARGV[4] (route table, count, packed)
  Returns { enqueued, handedOff }:
          enqueued: applyUpdates-9.lua's reply for one PENDING creation per message: seq 1 if
          enqueued; 0 if its group was refused, with the record in its way (false if none);
          handedOff: {} if none, else { lease token, then the message number (1-based, in ARGV
          order) of each message handed off }; each is leased as "<token>:<id>".
  Events: the PENDING record on the event channel of each id that is not fresh; a wake-up (origin)
  on the wake channel of each queue that got ready work.
  The usual call, a lone delay(), has its own script with these KEYS and ARGV: enqueueOne-11.lua.
]]
--- @include "includes/enqueueGeneral"

local seq, revoked, body, meta, dlv, routes, leases, tokens, run, paused, replay = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8], KEYS[9], KEYS[10], KEYS[11]
return enqueueGeneral({ seq = seq, revoked = revoked, body = body, meta = meta, dlv = dlv, routes = routes, leases = leases, tokens = tokens, run = run, paused = paused, replay = replay })
