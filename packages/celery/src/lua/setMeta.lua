--[[
  Stores a task's result meta if it is still what the writer read (compare and set), and publishes
  it on the key's channel, as Celery's Redis backend does (SET then PUBLISH): a Python
  AsyncResult.get() already waiting only listens. With it, in the same step, Celeriac's own
  bookkeeping for the admin API, under celeriac.* keys Celery never reads: the id moves from its
  old state's index to the new one's (finished ones bounded by count and age), and the change is
  added to the task's timeline.

  KEYS[1] celery-task-meta-<id>
  KEYS[2] celeriac.tasks:<old state>  (zset id -> ms; the new state's when there was no record)
  KEYS[3] celeriac.tasks:<new state>
  KEYS[4] celeriac.timeline:<id>      (list of JSON entries)
  KEYS[5] celeriac.user-states        (set: user states some record was filed under)
  ARGV[1] '1' if the key was read present, '0' if absent  ARGV[2] the value read
  ARGV[3] the new value  ARGV[4] TTL in ms  ARGV[5] the id  ARGV[6] now in ms
  ARGV[7] timeline: 'push' a new entry, or 'replace' the last (a repeated user state)
  ARGV[8] the timeline entry  ARGV[9] timeline length bound
  ARGV[10] '1' if the new state is finished: then ARGV[11] list limit, ARGV[12] list age in ms
  ARGV[13] the new state if it is a user state, else ''
  Returns 1 if stored, 0 if the key changed since it was read.
  Events: PUBLISH KEYS[1] the new value.
]]
local current = redis.call('GET', KEYS[1])
if ARGV[1] == '0' then
  if current then return 0 end
elseif current ~= ARGV[2] then
  return 0
end
local ttl, id, now = ARGV[4], ARGV[5], tonumber(ARGV[6])
redis.call('SET', KEYS[1], ARGV[3], 'PX', ttl)
redis.call('PUBLISH', KEYS[1], ARGV[3])

redis.call('ZREM', KEYS[2], id)
redis.call('ZADD', KEYS[3], now, id)
if ARGV[10] == '1' then
  redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now - tonumber(ARGV[12]))
  redis.call('ZREMRANGEBYRANK', KEYS[3], 0, -tonumber(ARGV[11]) - 1)
end
if ARGV[13] ~= '' then redis.call('SADD', KEYS[5], ARGV[13]) end

local timeline, bound = KEYS[4], tonumber(ARGV[9])
if ARGV[7] == 'replace' and redis.call('LLEN', timeline) > 0 then
  redis.call('LSET', timeline, -1, ARGV[8])
elseif redis.call('RPUSH', timeline, ARGV[8]) > bound then
  -- Keep the first entry (the task was sent) and the latest ones.
  local first = redis.call('LINDEX', timeline, 0)
  redis.call('LTRIM', timeline, -bound + 1, -1)
  redis.call('LPUSH', timeline, first)
end
redis.call('PEXPIRE', timeline, ttl)
return 1
