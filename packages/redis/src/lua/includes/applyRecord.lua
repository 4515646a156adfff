-- Applying a batch of record updates (includes/records, which includes this after its own
-- functions: these use them) and the call's reply, kept for a resend.

-- Keeps the state update u replaces in the task's timeline (includes/timelines): a stored one,
-- when the state changes (or a new run starts), as a line of the timeline string; the message whose
-- PENDING or STARTED was implied as the line the record carries. When the caller keeps the
-- message's body for the record (up.keepsBody, see includes/settleGeneral), the line names the
-- run alone; a stored line that holds the message needs no body kept (up.keepsBody turns false).
-- Returns what the new record carries after its JSON ('' for nothing). pos, len: where the stored
-- record's task JSON is.
local function keepReplaced(b, u, stored, curState, curAt, curAttempt, pos, len)
  local up = b.updates[u]
  if stored then
    if curState ~= up.state or up.state == 'STARTED' then
      appendTimeline(timelinePrefix(b.prefix) .. up.id, 'E' .. curState .. '\t' .. curAt .. '\t' .. curAttempt .. storedWorker(stored) .. '\n', b.ttl)
    end
    local line = keptLine(stored, pos, len)
    if up.keepsBody and carriesMessage(line) then up.keepsBody = false end
    return line
  end
  local f = b.implied[u]
  if f and up.keepsBody then
    if f.state == 'STARTED' then return '\nR' .. f.updatedAt .. f.worker end
    return '\nP'
  end
  local raw = f and redis.call('HGET', b.bodies, up.id)
  if not raw then return '' end
  if f.state == 'STARTED' then return '\nR' .. f.updatedAt .. f.worker .. '\t' .. raw end
  return '\nP' .. raw
end

-- Adds the ids this call finished to their lists (includes/taskLists).
local function flushLists(b)
  for state, entries in pairs(b.listed) do addToTaskList(b.lists, state, entries, b.now) end
  b.listed = {}
end

-- Applies update u if the state machine allows it: bumps seq, stores the record (refreshing its
-- TTL) and publishes it on the task's event channel. Returns true if applied (or already applied
-- by this very batch, resent after a reconnect lost its reply). An update for a delivery whose
-- lease is lost is refused, whatever the state machine says (b.seqs[u] = -1).
local function applyRecord(b, u)
  local up = b.updates[u]
  local stored = storedRecord(b, u)
  local curState, curSeq, curAttempt, curToken, curTask, curAt, taskPos, taskLength = '', 0, nil, nil, nil, nil, nil, nil
  if stored then
    local s, q, a, at, t, len, pos = string.match(stored, '^([^\n]*)\n(%d+)\n(%d+)\n(%d+)\n([^\n]*)\n(%d+)\n()')
    curState, curSeq, curAttempt, curToken, curAt, taskPos, taskLength = s, tonumber(q), a, t, at, pos, tonumber(len)
    curTask = string.sub(stored, pos, pos + taskLength - 1)
  elseif b.implied[u] then
    local f = b.implied[u]
    curState, curSeq, curAttempt, curTask = f.state, f.seq, f.attempt, f.task
  end
  if stored and isUpdateToken(b, u, curToken) then
    b.seqs[u] = curSeq
    if up.taskJson == '' or up.attempt == '' then
      b.extras[#b.extras + 1] = curAttempt
      b.extras[#b.extras + 1] = curTask
    end
    return true
  end
  -- Fencing: an update made for a delivery (up.member, with b.leases the leases key) is applied
  -- only while that delivery holds its lease. Checked after the token, so a resend of an update
  -- already applied gets its first answer though that first run removed the lease. Refused as -1.
  if up.member and not leaseHeld(b.leases, up.member, b.now) then
    b.seqs[u] = -1
    local implied = not stored and impliedInFull(b, u)
    b.extras[#b.extras + 1] = stored or (implied and impliedValue(up.idJson, implied)) or false
    return false
  end
  local allowed = allowedFrom(b, up.sources, curState)
  local task = up.taskJson
  if task == '' then task = curTask end
  if not (allowed and task) then
    b.seqs[u] = 0
    local implied = not stored and impliedInFull(b, u)
    b.extras[#b.extras + 1] = stored or (implied and impliedValue(up.idJson, implied)) or false
    return false
  end
  local seq = curSeq + 1
  local seqDigits = cachedDigits(seq)
  local attempt = up.attempt
  local keptAttempt = attempt == ''
  if keptAttempt then attempt = curAttempt or '1' end
  -- The run's worker stays with the updates after its STARTED (which brings its own); a task handed
  -- back to PENDING has none.
  local payload = up.payload
  if up.state ~= 'PENDING' and string.sub(payload, 1, 11) ~= ',"worker":"' then
    payload = (stored and storedWorker(stored) or (b.implied[u] and b.implied[u].worker) or '') .. payload
  end
  local carried = keepReplaced(b, u, stored, curState, curAt, curAttempt, taskPos, taskLength)
  local value, headLength = recordValue(up.state, seqDigits, attempt, b.nowDigits, b.tokenPrefix, cachedDigits(u), cachedDigits(#task), task, up.idJson, payload)
  if carried ~= '' then value = value .. carried end
  redis.call('SET', up.key, value, 'PX', b.ttl)
  local listKey = b.lists and b.lists.keys[up.state]
  if listKey then
    local entries = b.listed[up.state] or {}
    b.listed[up.state] = entries
    -- "+<ms> <id>": the body is kept for the record, until the entry leaves the list (includes/taskLists).
    entries[#entries + 1] = (up.keepsBody and KEPT or '') .. b.nowDigits .. ' ' .. up.id
  end
  b.written[up.key] = value
  if isWatched(b, u) then redis.call('PUBLISH', b.channels .. up.id, string.sub(value, headLength + 1, #value - #carried)) end
  b.seqs[u] = seq
  if up.taskJson == '' or keptAttempt then
    b.extras[#b.extras + 1] = attempt
    b.extras[#b.extras + 1] = task
  end
  return true
end

-- The reply of applyUpdates-9.lua: { now, seq, 0 or -1 per update, then the extras in update order }.
local function recordReply(b)
  local out = { b.now }
  for u = 1, #b.updates do out[u + 1] = b.seqs[u] end
  for _, v in ipairs(b.extras) do out[#out + 1] = v end
  return out
end

-- A call can reach Redis twice: after a reconnect, the client sends again every call whose reply
-- was lost, and by then a worker may have moved the records on. So each call keeps its reply for a
-- minute under its batch token, and a call seen before returns that reply without running again:
-- its records, messages and acks change once. Returns the kept reply, or nil for a first run.
-- A batch whose updates all move records to terminal states (SUCCESS, FAILURE, REVOKED: the
-- caller tells, from core's state machine) keeps none: nothing moves a terminal record on, so a
-- resend finds each record it wrote still holding its update's token and answers as applied
-- (applyRecord), and its acks and requeues start by removing a lease, a no-op the second time.
-- That is a worker's usual settle, which thus costs no JSON encoding and no key.
local function replayedReply(b)
  if not b.keepsReply then return nil end
  local kept = redis.call('GET', b.replayKey)
  if kept then return cjson.decode(kept) end
  return nil
end

-- A call's reply, kept for a resend of it (replayedReply); finalReply: recordReply's.
local function keepReply(b, reply)
  redis.call('SET', b.replayKey, cjson.encode(reply), 'PX', 60000)
  return reply
end

local function finalReply(b)
  flushLists(b)
  if not b.keepsReply then return recordReply(b) end
  return keepReply(b, recordReply(b))
end
