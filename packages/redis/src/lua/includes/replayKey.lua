-- Where a call keeps its reply for a resend (see replayedReply in includes/records): named after the
-- record key prefix of the same deployment ('{p}:rec:' -> '{p}:replay:<call token>').
local function replayKeyOf(recordPrefix, token)
  return string.sub(recordPrefix, 1, -5) .. 'replay:' .. token
end
