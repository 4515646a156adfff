-- A FAILURE record back to PENDING (seq + 1, attempt + 1, meta.reason), outside the state machine
-- on purpose: a requeue starts a new attempt. Its FAILURE goes to its timeline (includes/timelines;
-- the line the record carries goes on with it, with the message if it was kept apart) and out of
-- the FAILURE list (includes/taskLists), and the new record is published on its event channel.
-- r: { record, timeline, failed, body } keys, ttl (ms), channel, id, reason (as a JSON string).
-- Returns the new attempt's digits, or nil if the record is not FAILURE (or its seq is not
-- `expectedSeq`, when given: the seq the caller read).
local function reopenRecord(r, now, expectedSeq)
  local stored = redis.call('GET', r.record)
  if not stored then return nil end
  local state, seqText, attempt, at, len, pos = string.match(stored, '^([^\n]*)\n(%d+)\n(%d+)\n(%d+)\n[^\n]*\n(%d+)\n()')
  if state ~= 'FAILURE' or (expectedSeq and seqText ~= expectedSeq) then return nil end
  local taskJson = string.sub(stored, pos, pos + tonumber(len) - 1)
  local nextAttempt = digits(tonumber(attempt) + 1)
  local value, head = recordValue('PENDING', digits(tonumber(seqText) + 1), nextAttempt, digits(now), '', '', len, taskJson, cjson.encode(r.id),
    ',"meta":{"reason":' .. r.reason .. '}')
  redis.call('SET', r.record, value .. withMessage(keptLine(stored, pos, tonumber(len)), r.body, r.id), 'PX', r.ttl)
  appendTimeline(r.timeline, 'EFAILURE\t' .. at .. '\t' .. attempt .. storedWorker(stored) .. '\n', r.ttl)
  -- Listed as "<at> <id>", or "+<at> <id>" if its body was kept (includes/taskLists).
  if redis.call('LREM', r.failed, 1, at .. ' ' .. r.id) == 0 then redis.call('LREM', r.failed, 1, '+' .. at .. ' ' .. r.id) end
  redis.call('PUBLISH', r.channel, string.sub(value, head + 1))
  return nextAttempt
end
