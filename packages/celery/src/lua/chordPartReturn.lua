--[[
  Counts a finished member of a Celery chord as Celery 5.2's Redis result backend does
  (on_chord_part_return with result_chord_ordered, celery/backends/redis.py), so Celeriac and
  Python workers count the same chord: the member's [1, id, state, result] added to the `.j` zset
  scored by its group_index, the total read from `.s` (set by the chord's producer) plus `.t`.
  The call that completes it takes the results and deletes the keys in the same step, so one
  caller calls the callback (Python deletes them after its call; a later count finds no `.s`).

  KEYS[1] celery-taskset-meta-<group>.j  KEYS[2] <...>.t  KEYS[3] <...>.s
  ARGV[1] the member's entry  ARGV[2] its score (group_index, or '+inf')  ARGV[3] TTL in ms
  Returns the entries in group order if this call completed the chord, else false.
  Events: none.
]]
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
local ready = redis.call('ZCOUNT', KEYS[1], '-inf', '+inf')
local diff = tonumber(redis.call('GET', KEYS[2]) or '0') or 0
local size = tonumber(redis.call('GET', KEYS[3]) or '')
for i = 1, 3 do redis.call('PEXPIRE', KEYS[i], ARGV[3]) end
if not size or ready ~= size + diff then return false end
local entries = redis.call('ZRANGE', KEYS[1], 0, -1)
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
return entries
