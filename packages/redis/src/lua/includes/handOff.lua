-- Handing messages straight to a reserve of the enqueuing process that is asleep for lack of work
-- (see internal/hand-off.ts): they are leased to it in the enqueue itself, so neither a wake-up
-- nor a reserve call stands between a producer and an idle worker of the same process.

-- The hand-off argument: '' for none, else lines: the reserve's free slots, its visibility timeout
-- in ms, 'w' and its worker as the record's JSON fragment (',"worker":"<id>"', or nothing: see
-- runStart in includes/impliedRecord), then the ready keys it takes from (those of its tasks
-- without a rate limit).
local function readHandOff(spec)
  if spec == '' then return nil end
  local h = { keys = {}, empty = {} }
  local line = 0
  for field in string.gmatch(spec, '[^\n]+') do
    line = line + 1
    if line == 1 then
      h.max = tonumber(field)
    elseif line == 2 then
      h.visibility = tonumber(field)
    elseif line == 3 then
      h.worker = string.sub(field, 2)
    else
      h.keys[field] = true
    end
  end
  return h
end

-- Marks (msg.handOff) up to h.max accepted messages to hand off: fresh ids (never revoked, never
-- delivered, unknown to any listener), ready now, in a ready key the reserve takes from and where
-- nothing waits ahead of them (so the hand-off never overtakes older work). Best priority first,
-- then arrival. Returns them in that order.
local function pickHandOffs(h, accepted, now)
  local picks = {}
  for order, msg in ipairs(accepted) do
    local key = msg.route.ready
    if msg.fresh and h.keys[key] and (msg.eta == '' or tonumber(msg.eta) <= now) then
      if h.empty[key] == nil then h.empty[key] = redis.call('ZCARD', key) == 0 end
      if h.empty[key] then
        msg.order = order
        picks[#picks + 1] = msg
      end
    end
  end
  if #picks > h.max then
    table.sort(picks, function(a, b)
      if a.rank ~= b.rank then return a.rank < b.rank end
      return a.order < b.order
    end)
    for j = #picks, h.max + 1, -1 do picks[j] = nil end
  end
  for _, msg in ipairs(picks) do msg.handOff = true end
  return picks
end

-- Leases the picked messages (stored by publishMessages, but in no ready zset) as a reserve would:
-- "<token>:<id>" until now + visibility timeout, first delivery, STARTED implied by its start time
-- and worker in `{p}:run` (a fresh id has no record, and no one listens to its channel yet).
-- Returns the token: every pick is leased as "<token>:<id>" (their ids are distinct).
local function leaseHandOffs(k, h, picks, now)
  local token = redis.call('INCRBY', k.tokens, 1)
  local tokenDigits = digits(token)
  local leaseUntil = digits(now + h.visibility)
  local start = digits(now) .. h.worker
  local leaseArgs = { '+inf', LEASES_ENCODING_MEMBER }
  local runArgs = { ENCODING_FIELD, ENCODING_VALUE } -- see includes/bulk
  for j, msg in ipairs(picks) do
    leaseArgs[j * 2 + 1] = leaseUntil
    leaseArgs[j * 2 + 2] = tokenDigits .. ':' .. msg.id
    runArgs[j * 2 + 1] = msg.id
    runArgs[j * 2 + 2] = start
  end
  bulkCall('ZADD', k.leases, leaseArgs)
  bulkCall('HSET', k.run, runArgs)
  return token
end
