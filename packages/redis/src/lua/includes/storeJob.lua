-- Stores one message on its own (requeue, admission of a raw inbox message): its body, meta and
-- delivery count, filed as ready (in its queue+task zset, by priority rank then arrival) or
-- delayed (in its queue's delayed zset, by eta).
-- f: id, raw, ready key, delayed key, ready-keys set of the queue, queue, priority rank, eta ('' for
-- none), deliveries so far, route JSON ([delayed key, queue]).
-- Returns 1 if ready now (the caller wakes the queue), 2 if delayed, 0 if dropped (id revoked).
local function storeJob(k, now, seq, priorityUnit, f)
  local id = f[1]
  if redis.call('ZSCORE', k.revoked, id) then return 0 end
  local score = digits(tonumber(f[7]) * priorityUnit + seq)
  redis.call('HSET', k.body, id, f[2])
  redis.call('HSET', k.meta, id, score .. ' ' .. f[3])
  if tonumber(f[9]) > 0 then redis.call('HSET', k.dlv, id, f[9]) else redis.call('HDEL', k.dlv, id) end
  redis.call('HSET', k.routes, f[3], f[10])
  redis.call('SADD', f[5], f[3])
  if f[8] ~= '' and tonumber(f[8]) > now then
    redis.call('ZADD', f[4], f[8], id)
    return 2
  end
  redis.call('ZADD', f[3], score, id)
  return 1
end
