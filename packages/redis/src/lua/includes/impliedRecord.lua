-- A message enqueued by the combined path has no stored record while it waits: its PENDING
-- record (seq 1) is implied by the stored message itself, and is written for the first time by
-- the update that moves it on (REVOKED, SUCCESS...). Enqueueing thus writes no record key, and a
-- waiting task's PENDING never expires while it waits.
--
-- Likewise a reserve that starts a message without a record writes none: it files the start time
-- in the hash `{p}:run` (id -> ms), and the message with that entry implies its STARTED record
-- (seq 2, updatedAt the start). A stored record always wins over an implied one; the entry goes
-- with the message (forgetJobs), and outlives an expired lease, since the task did start.

-- attempt, createdAt and task JSON of a stored message. Our producers write createdAt first,
-- after the attempt unless it is 1 (see message-fields.ts), and a task name without escapes is
-- read by a pattern; anything else is decoded. nil if it cannot be read.
local function messageHead(raw)
  local attempt, createdAt, rest = '1', string.match(raw, '^{"createdAt":(%d+),()')
  if not createdAt then attempt, createdAt, rest = string.match(raw, '^{"attempt":(%d+),"createdAt":(%d+),()') end
  if attempt then
    -- The first bare ',"task":"' is the key: inside the id's JSON string every quote is escaped.
    local taskJson = string.match(raw, '^,"task":("[^"\\]*"),', (string.find(raw, ',"task":"', rest, true)))
    if taskJson then return attempt, createdAt, taskJson end
  end
  local ok, message = pcall(cjson.decode, raw)
  if not (ok and type(message) == 'table' and type(message.task) == 'string') then return nil end
  return string.format('%d', tonumber(message.attempt) or 1), string.format('%d', tonumber(message.createdAt) or 0), cjson.encode(message.task)
end

-- A string as JSON: quoted as is unless it holds a character JSON escapes.
local function jsonString(text)
  if string.find(text, '[%c"\\]') then return cjson.encode(text) end
  return '"' .. text .. '"'
end

-- A `{p}:run` value: the start in ms, then the run's worker as the record's JSON fragment
-- (',"worker":"<id>"', or nothing when the reserve named none). Returns both.
local function runStart(value)
  local cut = string.find(value, ',', 1, true)
  if not cut then return value, '' end
  return string.sub(value, 1, cut - 1), string.sub(value, cut)
end

-- The fields of an implied STARTED (see impliedFields); start is its `{p}:run` value.
local function impliedStarted(start, attempt, taskJson)
  local startedAt, worker = runStart(start)
  return { state = 'STARTED', seq = 2, attempt = attempt, updatedAt = startedAt, task = taskJson, worker = worker }
end

-- The fields of the record a stored message implies ({ state, seq, attempt, updatedAt, task JSON }):
-- PENDING (seq 1, at its createdAt), or STARTED (seq 2) if `startedAt` (its `{p}:run` entry) is
-- given (its `{p}:run` value: f.worker is the run's worker fragment). nil if the message cannot be read.
local function impliedFields(raw, startedAt)
  local attempt, createdAt, taskJson = messageHead(raw)
  if not attempt then return nil end
  if startedAt then return impliedStarted(startedAt, attempt, taskJson) end
  return { state = 'PENDING', seq = 1, attempt = attempt, updatedAt = createdAt, task = taskJson }
end

-- That record as JSON (as published, and as stored after the header).
local function impliedJson(idJson, f)
  return '{"id":' .. idJson .. ',"task":' .. f.task .. ',"state":"' .. f.state .. '","seq":' .. f.seq .. ',"attempt":' .. f.attempt .. ',"updatedAt":' .. f.updatedAt .. (f.worker or '') .. '}'
end

-- That record in the stored format (see applyUpdates-9.lua), with no token: no update wrote it.
local function impliedValue(idJson, f)
  return f.state .. '\n' .. f.seq .. '\n' .. f.attempt .. '\n' .. f.updatedAt .. '\n\n' .. string.format('%d', #f.task) .. '\n' .. f.task .. impliedJson(idJson, f)
end

-- The stored-format record a stored message implies (see impliedFields), or false if it cannot be read.
local function impliedRecord(idJson, raw, startedAt)
  local f = impliedFields(raw, startedAt)
  return f and impliedValue(idJson, f) or false
end
