-- The server's clock in ms. Leases, delays and rate windows all use it, so workers on machines
-- with skewed clocks still agree on when a lease ends.
local function nowMs()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
