--[[
  Takes up to `max` messages from kombu's queue lists, as a Celery worker with acks_late holds
  them: each leaves its list and enters `unacked` (tag -> [envelope, exchange, routing key], the
  value kombu's restore reads) and `unacked_index` (tag -> delivery time in s), in this one step
  (kombu's BRPOP then pipeline leaves a window here; this does not). First, messages whose holder
  went quiet for the visibility timeout (a dead Celery or Celeriac worker; a parked ETA message
  whose time has come) are restored to the right end of their plain queue list, as kombu does.

  KEYS[1] unacked        hash  tag -> [envelope, exchange, routing key]  (kombu's)
  KEYS[2] unacked_index  zset  tag -> s                                  (kombu's)
  KEYS[3] leases         hash  tag -> lease token of the Celeriac delivery holding it
  KEYS[4] deliveries     hash  tag -> deliveries to Celeriac workers
  KEYS[5] revoked        zset  task id -> ms
  KEYS[6] parked         hash  tag -> queue, for ETA messages waiting in unacked
  KEYS[7] dead letters   list
  KEYS[8] paused         set   queue names no Celeriac worker reserves from (Celery's never look)
  KEYS[9..] queue lists in serving order (each priority step of each queue)
  ARGV[1] now in s  ARGV[2] now in ms  ARGV[3] max  ARGV[4] scan depth per list  ARGV[5] token
  ARGV[6] visibility timeout in s  ARGV[7] restore limit  ARGV[8] key prefix
  ARGV[9] dead-letter limit  ARGV[10] rate key prefix  ARGV[11] task count n, then n task names,
  then a rate-limit count m and m (task, limit, interval ms) triples, then one queue name per list.
  Returns { { tag, envelope, deliveries }... }.
  Events: none. Malformed envelopes go to the dead letters; revoked ones are dropped.
]]
local unacked, index, leases, dlv, revoked, parked, dead, paused = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8]
local nowS, nowMs, max, depth, token = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), ARGV[5]
local prefix, deadLimit, ratePrefix = ARGV[8], tonumber(ARGV[9]), ARGV[10]

-- Restore what nobody holds any more (kombu's restore_visible), to the front of the plain list.
local due = redis.call('ZRANGEBYSCORE', index, '-inf', nowS - tonumber(ARGV[6]), 'LIMIT', 0, tonumber(ARGV[7]))
for _, tag in ipairs(due) do
  local held = redis.call('HGET', unacked, tag)
  if held then
    local envelope, rk = string.match(held, '^%[(.*), "[^"]*", "([^"]*)"%]$')
    if envelope then redis.call('RPUSH', prefix .. rk, envelope) end
  end
  redis.call('HDEL', unacked, tag)
  redis.call('ZREM', index, tag)
  redis.call('HDEL', leases, tag)
  redis.call('HDEL', parked, tag)
end

local at = 11
local tasks = {}
for i = 1, tonumber(ARGV[at]) do tasks[ARGV[at + i]] = true end
at = at + tonumber(ARGV[at]) + 1
local limits = {}
for i = 1, tonumber(ARGV[at]) do
  local j = at + (i - 1) * 3
  limits[ARGV[j + 1]] = { tonumber(ARGV[j + 2]), tonumber(ARGV[j + 3]) }
end
at = at + tonumber(ARGV[at]) * 3

local function bury(list, queue, raw, id, reason)
  redis.call('LREM', list, -1, raw)
  redis.call('RPUSH', dead, cjson.encode({ id = id, queue = queue, raw = raw, reason = reason, deadAt = nowMs }))
  redis.call('LTRIM', dead, -deadLimit, -1)
end

local out, limited = {}, {}
local isPaused = {}
for k = 9, #KEYS do
  if #out >= max then break end
  local list, queue = KEYS[k], ARGV[at + k - 8]
  if isPaused[queue] == nil then isPaused[queue] = redis.call('SISMEMBER', paused, queue) == 1 end
  local items = isPaused[queue] and {} or redis.call('LRANGE', list, -depth, -1)
  for i = #items, 1, -1 do
    if #out >= max then break end
    local raw = items[i]
    local ok, env = pcall(cjson.decode, raw)
    local headers = ok and type(env) == 'table' and type(env.headers) == 'table' and env.headers or nil
    local props = ok and type(env) == 'table' and type(env.properties) == 'table' and env.properties or nil
    if not headers or not props then
      bury(list, queue, raw, 'malformed:' .. redis.sha1hex(raw), 'not a kombu message (expected a JSON object with headers and properties)')
    elseif type(headers.task) ~= 'string' or type(headers.id) ~= 'string' then
      bury(list, queue, raw, 'malformed:' .. redis.sha1hex(raw), 'no "task" and "id" headers: not a Celery protocol 2 message (protocol 1 is not supported)')
    elseif type(props.delivery_tag) ~= 'string' then
      bury(list, queue, raw, headers.id, 'no properties.delivery_tag: kombu cannot acknowledge it')
    elseif redis.call('ZSCORE', revoked, headers.id) then
      redis.call('LREM', list, -1, raw)
    elseif tasks[headers.task] and not limited[headers.task] then
      local limit, take = limits[headers.task], true
      if limit then
        local rk = ratePrefix .. headers.task
        local used = tonumber(redis.call('GET', rk) or '0')
        if used >= limit[1] then
          limited[headers.task], take = true, false
        elseif redis.call('INCR', rk) == 1 then
          redis.call('PEXPIRE', rk, limit[2])
        end
      end
      if take then
        local tag = props.delivery_tag
        local info = type(props.delivery_info) == 'table' and props.delivery_info or {}
        local ex = type(info.exchange) == 'string' and info.exchange or ''
        local rk = type(info.routing_key) == 'string' and info.routing_key or queue
        redis.call('LREM', list, -1, raw)
        redis.call('HSET', unacked, tag, '[' .. raw .. ', ' .. cjson.encode(ex) .. ', ' .. cjson.encode(rk) .. ']')
        redis.call('ZADD', index, nowS, tag)
        redis.call('HSET', leases, tag, token)
        out[#out + 1] = { tag, raw, redis.call('HINCRBY', dlv, tag, 1) }
      end
    end
  end
end
return out
