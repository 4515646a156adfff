-- A lease member is "<token>:<id>": the token makes every delivery's lease distinct, so a holder
-- whose lease expired cannot settle the next holder's delivery.
local function leaseJobId(member)
  return string.match(member, '^%d+:(.*)$')
end
