--[[
  Settles one Celeriac delivery, if it still holds its lease: acknowledges it (kombu's ack: out of
  unacked and unacked_index), then, by mode, publishes a message in its place, moves it to the dead
  letters, or parks it (an ETA message: left in unacked with the index score eta - visibility
  timeout, so whoever restores visible messages, a Celery or a Celeriac worker, puts it back on its
  list when it is due; nothing holds it in memory).

  KEYS[1] unacked  KEYS[2] unacked_index  KEYS[3] leases  KEYS[4] deliveries  KEYS[5] parked
  KEYS[6] target: the list to publish to (requeue) or the dead letters (dead); unused otherwise
  ARGV[1] tag  ARGV[2] token  ARGV[3] mode: ack | requeue | dead | park
  ARGV[4] requeue: the new envelope; dead: the letter; park: the index score (s)
  ARGV[5] dead: the dead-letter limit; park: the queue
  Returns 1 if the delivery held its lease (and was settled), else 0.
  Events: none.
]]
local unacked, index, leases, dlv, parked = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local tag, mode = ARGV[1], ARGV[3]
if redis.call('HGET', leases, tag) ~= ARGV[2] or not redis.call('ZSCORE', index, tag) then return 0 end
redis.call('HDEL', leases, tag)
if mode == 'park' then
  -- Not a delivery: the next one counts as the first again.
  if redis.call('HINCRBY', dlv, tag, -1) <= 0 then redis.call('HDEL', dlv, tag) end
  redis.call('ZADD', index, tonumber(ARGV[4]), tag)
  redis.call('HSET', parked, tag, ARGV[5])
  return 1
end
redis.call('HDEL', unacked, tag)
redis.call('ZREM', index, tag)
redis.call('HDEL', dlv, tag)
redis.call('HDEL', parked, tag)
if mode == 'requeue' then
  redis.call('LPUSH', KEYS[6], ARGV[4])
elseif mode == 'dead' then
  redis.call('RPUSH', KEYS[6], ARGV[4])
  redis.call('LTRIM', KEYS[6], -tonumber(ARGV[5]), -1)
end
return 1
