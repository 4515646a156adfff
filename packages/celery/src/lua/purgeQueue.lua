--[[
  Removes up to `max` waiting and delayed messages of one queue: its parked ETA messages first,
  then from the oldest end of each of its lists. Messages a worker holds are left alone.

  KEYS[1] unacked  KEYS[2] unacked_index  KEYS[3] leases  KEYS[4] deliveries  KEYS[5] parked
  KEYS[6..] the queue's lists
  ARGV[1] the queue name  ARGV[2] max
  Returns the envelopes removed.
  Events: none.
]]
local unacked, index, leases, dlv, parked = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local queue, max = ARGV[1], tonumber(ARGV[2])
local out = {}
local entries = redis.call('HGETALL', parked)
for i = 1, #entries, 2 do
  if #out >= max then break end
  local tag = entries[i]
  if entries[i + 1] == queue then
    local held = redis.call('HGET', unacked, tag)
    local envelope = held and string.match(held, '^%[(.*), "[^"]*", "[^"]*"%]$')
    if envelope then out[#out + 1] = envelope end
    redis.call('HDEL', unacked, tag)
    redis.call('ZREM', index, tag)
    redis.call('HDEL', leases, tag)
    redis.call('HDEL', dlv, tag)
    redis.call('HDEL', parked, tag)
  end
end
for k = 6, #KEYS do
  while #out < max do
    local raw = redis.call('RPOP', KEYS[k])
    if not raw then break end
    out[#out + 1] = raw
  end
end
return out
