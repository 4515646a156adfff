-- Task records, one string per task (see applyUpdates-9.lua for the stored value). Shared by every
-- script that changes records, so the state machine check, the token check and the event live in
-- one place: the batch and its reads here, applying and replying in includes/applyRecord.
--- @include "includes/bulk"
--- @include "includes/impliedRecord"
--- @include "includes/recordValue"
--- @include "includes/watchedChannels"
--- @include "includes/leaseHeld"
--- @include "includes/taskLists"
--- @include "includes/timelines"

-- An empty batch of record updates: record key prefix, event channel prefix, TTL, built-in
-- states, batch token (see applyUpdates-9.lua), the message hashes whose live messages imply
-- PENDING and STARTED records (m: { body, meta, run } keys, see includes/impliedRecord), and the
-- key that keeps the call's reply for a resend (see replayedReply; nil if it keeps none).
local function newRecordBatch(prefix, channels, ttl, builtins, batch, now, m, replayKey)
  return {
    prefix = prefix, channels = channels, ttl = ttl, builtins = builtins, batch = batch,
    now = now, nowDigits = string.format('%d', now), bodies = m.body, metas = m.meta,
    replayKey = replayKey, runs = m.run,
    -- The finished lists (b.lists, set by a script that may finish tasks; nil: none: see
    -- includes/taskLists), with the ids this call adds to each (state -> { time, id, ... }).
    listed = {},
    updates = {}, current = {}, implied = {}, written = {}, seqs = {}, extras = {},
    -- watched[u]: whether update u's event channel has a subscriber (see watchedChannels).
    watched = {}, watchedUpTo = 0,
    -- Parsed once per call, not per update: the allowed-source lists and the built-in states.
    tokenPrefix = batch .. '.', allowSets = {}, builtinSet = false,
    -- Whether the call's reply is kept for a resend (see replayedReply).
    keepsReply = true,
  }
end

-- Small integers as digits, formatted once per script call (seqs and update indexes repeat).
local digitsCache = {}
local function cachedDigits(n)
  local d = digitsCache[n]
  if not d then
    d = string.format('%d', n)
    digitsCache[n] = d
  end
  return d
end

-- Update u's token, "<batch token>.<u>": built only to be stored, or to compare with a stored
-- token that starts with "<batch token>." (a resent batch), not for every update.
local function updateToken(b, u)
  return b.tokenPrefix .. cachedDigits(u)
end

-- Whether a stored token is update u's.
local function isUpdateToken(b, u, token)
  return string.find(token, b.tokenPrefix, 1, true) == 1 and token == updateToken(b, u)
end

-- ",A,B," as the set { A = true, B = true } ("no record" is the empty name: ",," holds '').
local function stateSet(list)
  local set = {}
  for state in string.gmatch(string.sub(list, 2), '([^,]*),') do set[state] = true end
  return set
end

-- Whether a record in `state` may move on under the allowed-source list `sources` (a user state
-- is allowed by "*user*": any stored state that is not built in).
local function allowedFrom(b, sources, state)
  local set = b.allowSets[sources]
  if not set then
    set = stateSet(sources)
    b.allowSets[sources] = set
  end
  if set[state] then return true end
  if state == '' or not set['*user*'] then return false end
  if not b.builtinSet then b.builtinSet = stateSet(b.builtins) end
  return not b.builtinSet[state]
end

-- Adds an update to the batch (fields as in applyUpdates-9.lua; sources is the list itself).
-- implied: the impliedFields of the update's waiting message if the caller has read it (false if
-- unreadable; nil: loadRecords reads the message if the record is missing).
local function addRecordUpdate(b, id, idJson, taskJson, state, attempt, sources, payload, implied)
  local u = #b.updates + 1
  b.updates[u] = {
    id = id, idJson = idJson, taskJson = taskJson, state = state, attempt = attempt, payload = payload,
    sources = sources, key = b.prefix .. id, implied = implied,
  }
end

-- Reads the stored values of the batch's records: one MGET per 4000 (`written` then holds what
-- this call writes, for a second update of one id). A missing record of a live message (it has a
-- meta field) reads as the PENDING or STARTED record the message implies (its fields in
-- b.implied[u]; see includes/impliedRecord). A body without a meta field is a finished task's,
-- kept (includes/taskLists): its record expired, so it implies nothing.
local function loadRecords(b)
  local n = #b.updates
  local first = #b.current + 1
  local keys = {}
  for u = first, n do keys[#keys + 1] = b.updates[u].key end
  local values = bulkGet(keys)
  for j = 1, #keys do b.current[first + j - 1] = values[j] end
  if not b.bodies then return end
  local missing, ids = {}, {}
  for u = first, n do
    local up = b.updates[u]
    if not b.current[u] then
      if up.implied ~= nil then
        b.implied[u] = up.implied or nil
      else
        missing[#missing + 1] = u
        ids[#ids + 1] = up.id
      end
    end
  end
  if #ids == 0 then return end
  -- An implied STARTED needs no message read when the update brings its own task and attempt (a
  -- worker's outcome always does): the run entry goes with the message, so the message is there.
  local starts = bulkQuery('HMGET', b.runs, ids)
  local unread, unreadIds = {}, {}
  -- One (read-only) table per start time, attempt and task, not one per update: a worker's
  -- settle holds many outcomes of tasks reserved together.
  local shared = {}
  for j = 1, #missing do
    local up = b.updates[missing[j]]
    if starts[j] and up.taskJson ~= '' and up.attempt ~= '' then
      local key = starts[j] .. ' ' .. up.attempt .. ' ' .. up.taskJson
      local f = shared[key]
      if not f then
        f = impliedStarted(starts[j], up.attempt, up.taskJson)
        f.unread = true
        shared[key] = f
      end
      b.implied[missing[j]] = f
    else
      unread[#unread + 1] = j
      unreadIds[#unreadIds + 1] = ids[j]
    end
  end
  if #unreadIds == 0 then return end
  local metas = bulkQuery('HMGET', b.metas, unreadIds)
  local liveIds, live = {}, {}
  for r = 1, #unread do
    if metas[r] then
      live[#live + 1] = unread[r]
      liveIds[#live] = unreadIds[r]
    end
  end
  local raws = bulkQuery('HMGET', b.bodies, liveIds)
  for r = 1, #live do
    local j = live[r]
    if raws[r] then b.implied[missing[j]] = impliedFields(raws[r], starts[j]) end
  end
end

-- Update u's implied record with the message's own task and attempt (see loadRecords), to report it.
local function impliedInFull(b, u)
  local f = b.implied[u]
  if f and f.unread then
    local raw = redis.call('HGET', b.bodies, b.updates[u].id)
    f = raw and impliedFields(raw, f.updatedAt)
  end
  return f
end

-- Whether update u's event has a subscriber, asked for all of the batch's updates at once.
local function isWatched(b, u)
  if u > b.watchedUpTo then
    local first, ids = b.watchedUpTo, {}
    for v = first + 1, #b.updates do ids[v - first] = b.updates[v].id end
    local heard = watchedChannels(b.channels, ids)
    for v = first + 1, #b.updates do b.watched[v] = heard == nil or heard[v - first] == true end
    b.watchedUpTo = #b.updates
  end
  return b.watched[u]
end

-- Reads the record arguments starting at ARGV[at] (their layout is applyUpdates-9.lua's ARGV):
-- record key prefix, event channel prefix, TTL, built-in states, batch token, update shapes,
-- packed updates, whether to keep the reply. Returns the batch, its stored records loaded, and the
-- index of the argument after them. m, replayKey: as newRecordBatch's.
local function readRecordBatch(at, now, m, replayKey)
  local b = newRecordBatch(ARGV[at], ARGV[at + 1], ARGV[at + 2], ARGV[at + 3], ARGV[at + 4], now, m, replayKey)
  local nShapes = tonumber(ARGV[at + 5])
  -- The shapes by their index as packed (a table lookup per update instead of a tonumber).
  local shapes = {}
  for j = 1, nShapes do
    local taskJson, state, attempt, sources = string.match(ARGV[at + 5 + j], '^([^\n]*)\n([^\n]*)\n([^\n]*)\n(.*)$')
    shapes[cachedDigits(j)] = { taskJson = taskJson, state = state, attempt = attempt, sources = sources }
  end
  for _, idJson, shapeIndex, payload in packedUpdates(ARGV[at + 7 + nShapes]) do
    local shape = shapes[shapeIndex]
    addRecordUpdate(b, idFromJson(idJson), idJson, shape.taskJson, shape.state, shape.attempt, shape.sources, payload)
  end
  b.keepsReply = ARGV[at + 8 + nShapes] == '1'
  loadRecords(b)
  return b, at + 9 + nShapes
end

-- The value stored for update u's record as this call sees it (false if none).
local function storedRecord(b, u)
  local stored = b.written[b.updates[u].key]
  if stored == nil then stored = b.current[u] end
  return stored
end

--- @include "includes/applyRecord"
