-- Reads a batch packed by the caller as one argument of "\n"-terminated fields, `width` per
-- record: one argument per batch instead of one per field costs far less to send and decode.
-- Every field is newline-free: JSON text never contains a raw newline, and ids travel as JSON.
-- Returns an iterator giving the fields of one record per call (gmatch: one C call per record).
local function packedRecords(packed, width)
  return string.gmatch(packed, string.rep('([^\n]*)\n', width))
end

-- An id from its JSON string: plain ids (no escapes) without a JSON decode.
local function idFromJson(idJson)
  if string.find(idJson, '\\', 1, true) then return cjson.decode(idJson) end
  return string.sub(idJson, 2, -2)
end
