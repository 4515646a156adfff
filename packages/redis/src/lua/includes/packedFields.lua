-- Reads a batch packed by the caller as one argument of "\n"-terminated fields, a fixed number
-- per record: one argument per batch instead of one per field costs far less to send and decode.
-- Every field is newline-free: JSON text never contains a raw newline, and ids travel as JSON.
-- The JSON fields (ids, messages, results: most of the bytes) are cut at plain finds of "\n"
-- (memchr); a pattern's character class would cost tens of instructions per byte. The short
-- fields of a message between them take one pattern.

local find, sub, match = string.find, string.sub, string.match

-- Stateless iterators for a generic for: `for _, field1, field2... in packedMessages(packed)`.
-- Each call cuts the record at `pos` and returns the position after it (the loop's control
-- value, hence the `_`), then the record's fields; nil once the argument is used up.

-- Packed messages (publishArgs in message-fields.ts): id JSON, raw JSON, route index, priority
-- rank, eta and deliveries.
local function readPackedMessage(packed, pos)
  if pos > #packed then return nil end
  local idEnd = find(packed, '\n', pos, true)
  local rawEnd = find(packed, '\n', idEnd + 1, true)
  local route, rank, eta, deliveries, after = match(packed, '^(%d+)\n(%d+)\n([^\n]*)\n(%d+)\n()', rawEnd + 1)
  return after, sub(packed, pos, idEnd - 1), sub(packed, idEnd + 1, rawEnd - 1), route, rank, eta, deliveries
end

local function packedMessages(packed)
  return readPackedMessage, packed, 1
end

-- Packed record updates (applyArgs in record-codec.ts): id JSON, shape index (its task, state,
-- attempt and allowed sources are sent once per batch) and payload.
local function readPackedUpdate(packed, pos)
  if pos > #packed then return nil end
  local idEnd = find(packed, '\n', pos, true)
  local shapeEnd = find(packed, '\n', idEnd + 1, true)
  local payloadEnd = find(packed, '\n', shapeEnd + 1, true)
  return payloadEnd + 1, sub(packed, pos, idEnd - 1), sub(packed, idEnd + 1, shapeEnd - 1), sub(packed, shapeEnd + 1, payloadEnd - 1)
end

local function packedUpdates(packed)
  return readPackedUpdate, packed, 1
end

-- An id from its JSON string: plain ids (no escapes) without a JSON decode.
local function idFromJson(idJson)
  if string.find(idJson, '\\', 1, true) then return cjson.decode(idJson) end
  return string.sub(idJson, 2, -2)
end
