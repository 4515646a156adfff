--[[
  The counts of one queue for the admin API: the length of each of its lists, its parked ETA
  messages (held in unacked by no one, restored when due), and its messages held by a worker
  (in unacked, not parked: a Celeriac delivery, or a Celery worker's prefetched, running or
  ETA-waiting message, which kombu's layout does not tell apart).

  KEYS[1] unacked  KEYS[2] parked  KEYS[3..] the queue's lists
  ARGV[1] the queue name
  Returns { parked, held, length of each list... }.
  Events: none.
]]
local queue = ARGV[1]
local parkedCount, held = 0, 0
local entries = redis.call('HGETALL', KEYS[1])
for i = 1, #entries, 2 do
  local rk = string.match(entries[i + 1], ', "([^"]*)"%]$')
  if rk == queue then
    if redis.call('HGET', KEYS[2], entries[i]) == queue then parkedCount = parkedCount + 1 else held = held + 1 end
  end
end
local out = { parkedCount, held }
for k = 3, #KEYS do out[#out + 1] = redis.call('LLEN', KEYS[k]) end
return out
