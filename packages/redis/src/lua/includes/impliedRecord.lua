-- A message enqueued by the combined path has no stored record while it waits: its PENDING
-- record (seq 1) is implied by the stored message itself, and is written for the first time by
-- the update that moves it on (STARTED, REVOKED...). Enqueueing thus writes no record key, and a
-- waiting task's PENDING never expires while it waits.

-- attempt, createdAt and task JSON of a stored message. Our producers write attempt and createdAt
-- first (see message-fields.ts), and a task name without escapes is read by a pattern; anything
-- else is decoded. nil if it cannot be read.
local function messageHead(raw)
  local attempt, createdAt, rest = string.match(raw, '^{"attempt":(%d+),"createdAt":(%d+),()')
  if attempt then
    -- The first bare ',"task":"' is the key: inside the id's JSON string every quote is escaped.
    local taskJson = string.match(raw, '^,"task":("[^"\\]*"),', (string.find(raw, ',"task":"', rest, true)))
    if taskJson then return attempt, createdAt, taskJson end
  end
  local ok, message = pcall(cjson.decode, raw)
  if not (ok and type(message) == 'table' and type(message.task) == 'string') then return nil end
  return string.format('%d', tonumber(message.attempt) or 1), string.format('%d', tonumber(message.createdAt) or 0), cjson.encode(message.task)
end

-- The fields of the PENDING record a waiting message implies ({ attempt, createdAt, task JSON }),
-- or nil if the message cannot be read.
local function impliedFields(raw)
  local attempt, createdAt, taskJson = messageHead(raw)
  if not attempt then return nil end
  return { attempt = attempt, createdAt = createdAt, task = taskJson }
end

-- That record as JSON (as published, and as stored after the header).
local function impliedJson(idJson, f)
  return '{"id":' .. idJson .. ',"task":' .. f.task .. ',"state":"PENDING","seq":1,"attempt":' .. f.attempt .. ',"updatedAt":' .. f.createdAt .. '}'
end

-- That record in the stored format (see applyUpdates-2.lua), with no token: no update wrote it.
local function impliedValue(idJson, f)
  return 'PENDING\n1\n' .. f.attempt .. '\n' .. f.createdAt .. '\n\n' .. string.format('%d', #f.task) .. '\n' .. f.task .. impliedJson(idJson, f)
end

-- The stored-format PENDING record of a waiting message, or false if it cannot be read.
local function impliedRecord(idJson, raw)
  local f = impliedFields(raw)
  return f and impliedValue(idJson, f) or false
end
