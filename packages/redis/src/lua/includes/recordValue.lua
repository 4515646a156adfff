-- A task record in the stored format (see applyUpdates-9.lua): the header the scripts check moves
-- against, then the record JSON as published. One concatenation for both; returns the value and
-- the header's length (the record JSON is what follows it, cut out only when someone listens).
-- Numbers come as digits (see digits in includes/bulk); the token is "<batch token>.<update index>"
-- (see updateToken in includes/records); payload is a JSON fragment (',"result":...' or '').
local function recordValue(state, seqDigits, attempt, nowDigits, tokenPrefix, index, taskLengthDigits, taskJson, idJson, payload)
  local value = state .. '\n' .. seqDigits .. '\n' .. attempt .. '\n' .. nowDigits .. '\n' .. tokenPrefix .. index .. '\n' .. taskLengthDigits .. '\n' .. taskJson ..
    '{"id":' .. idJson .. ',"task":' .. taskJson .. ',"state":"' .. state .. '","seq":' .. seqDigits .. ',"attempt":' .. attempt .. ',"updatedAt":' .. nowDigits .. payload .. '}'
  return value, #state + #seqDigits + #attempt + #nowDigits + #tokenPrefix + #index + #taskLengthDigits + #taskJson + 6
end
