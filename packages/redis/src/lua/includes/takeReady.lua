-- Taking ready messages for a reserve (reserveJobs-9.lua): from the queues in order, within a
-- queue highest priority first then oldest, only for the tasks asked for, within their rate
-- limits. t: { max, rates (see includes/reserveArgs, with each window's `cap` left), candidates,
-- candidateRate (the rate limit index of each candidate, 0 for none) }.

-- Whether the queue's j-th ready zset may give a message now (its rate window has room).
local function takeable(rates, queue, j)
  local r = queue.rate[j]
  return r == 0 or rates[r].cap > 0
end

-- Take from a queue with one ready zset: no merge, so no scores (a reply's doubles cost Redis a
-- printf each, and Lua a strtod). Returns whether the queue was drained.
local function takeSingle(t, queue)
  local rates, candidates, candidateRate = t.rates, t.candidates, t.candidateRate
  local key, r = queue.ready[1], queue.rate[1]
  if not takeable(rates, queue, 1) then return true end
  local want = t.max - #candidates
  if r > 0 and rates[r].cap < want then want = rates[r].cap end
  -- One more than wanted: something left over tells that the zset is not drained.
  local page = redis.call('ZRANGE', key, 0, want)
  local n = math.min(want, #page)
  local base = #candidates
  for j = 1, n do
    candidates[base + j] = page[j]
    candidateRate[base + j] = r
  end
  if n > 0 then redis.call('ZREMRANGEBYRANK', key, 0, n - 1) end
  if r > 0 then rates[r].cap = rates[r].cap - n end
  -- Drained unless something is left that the rate limit (if any) would still let through.
  return #page <= n or (r > 0 and rates[r].cap <= 0)
end

-- Take: a k-way merge of the queue's ready zsets (one per task) by score, reading each in pages.
-- Returns whether the queue was drained: nothing takeable left in it.
local function takeFrom(t, queue)
  local keys = queue.ready
  if #keys == 1 then return takeSingle(t, queue) end
  local rates, candidates, candidateRate, max = t.rates, t.candidates, t.candidateRate, t.max
  local pages, pos, popped, done = {}, {}, {}, {}
  for j = 1, #keys do
    pages[j], pos[j], popped[j], done[j] = {}, 1, 0, false
  end
  while #candidates < max do
    local best, bestScore = nil, nil
    for j = 1, #keys do
      if takeable(rates, queue, j) then
        if pos[j] > #pages[j] and not done[j] then
          -- One more than wanted: a page with something left over tells that the zset is not drained.
          local want = max - #candidates + 1
          pages[j] = redis.call('ZRANGE', keys[j], popped[j], popped[j] + want - 1, 'WITHSCORES')
          pos[j] = 1
          done[j] = #pages[j] < want * 2
        end
        if pos[j] <= #pages[j] then
          local score = tonumber(pages[j][pos[j] + 1])
          if best == nil or score < bestScore then best, bestScore = j, score end
        end
      end
    end
    if best == nil then break end
    candidates[#candidates + 1] = pages[best][pos[best]]
    pos[best] = pos[best] + 2
    popped[best] = popped[best] + 1
    local r = queue.rate[best]
    candidateRate[#candidates] = r
    if r > 0 then rates[r].cap = rates[r].cap - 1 end
  end
  local drained = true
  for j = 1, #keys do
    -- Stopped at `max` with more in the page read (pages hold one more than wanted, so this is
    -- the usual answer), or perhaps past it (a full page all taken: checked, never assumed)?
    if drained and takeable(rates, queue, j) and (pos[j] <= #pages[j] or (not done[j] and redis.call('ZCARD', keys[j]) > popped[j])) then
      drained = false
    end
    if popped[j] > 0 then redis.call('ZREMRANGEBYRANK', keys[j], 0, popped[j] - 1) end
  end
  return drained
end

-- Whether a queue not looked at (`max` was reached before it) holds a takeable message.
local function anyReady(rates, queue)
  for j = 1, #queue.ready do
    if takeable(rates, queue, j) and redis.call('ZCARD', queue.ready[j]) > 0 then return true end
  end
  return false
end

-- Takes up to t.max candidates from the queues into t. Returns whether, as far as `drained` (the
-- caller's answer so far) and the queues tell, nothing is left to take now, so that the caller
-- need not ask again before a wake-up or nextDue.
local function takeReady(t, queues, drained)
  for _, queue in ipairs(queues) do
    if #t.candidates < t.max then
      if not takeFrom(t, queue) then drained = false end
    elseif drained and anyReady(t.rates, queue) then
      drained = false
    end
  end
  return drained
end

-- When something may become reservable next, once nothing is left to take now: a delayed
-- message's eta, a rate window's next opening for a task with work waiting, a lease's expiry.
-- Returns the ms until then, or -1 if nothing is pending.
local function nextDueOf(k, queues, rates, now)
  local nextDue = -1
  local function consider(ms)
    if ms < 0 then ms = 0 end
    if nextDue < 0 or ms < nextDue then nextDue = ms end
  end
  for _, queue in ipairs(queues) do
    local head = redis.call('ZRANGE', queue.delayed, 0, 0, 'WITHSCORES')
    if head[2] then consider(tonumber(head[2]) - now) end
    -- A rate-limited task with work waiting: when does its window let one more through?
    for j = 1, #queue.ready do
      local r = queue.rate[j]
      if r > 0 and rates[r].cap <= 0 and rates[r].interval > 0 and redis.call('ZCARD', queue.ready[j]) > 0 then
        local rate = rates[r]
        local oldest = redis.call('ZRANGE', rate.key, rate.used - rate.limit, rate.used - rate.limit, 'WITHSCORES')
        if oldest[2] then consider(tonumber(oldest[2]) + rate.interval - now) end
      end
    end
  end
  local lease = redis.call('ZRANGE', k.leases, '-inf', '(inf', 'BYSCORE', 'LIMIT', 0, 1, 'WITHSCORES')
  if lease[2] then consider(tonumber(lease[2]) - now) end
  return nextDue
end
