--[[
  Purges a queue: removes up to `max` of its waiting and delayed messages and stores REVOKED
  (meta.reason "purged") for each one's record in the same step, so no record is left PENDING over
  a message that is gone. Ready messages go first, then delayed ones. Running messages keep their
  leases; raw messages in the queue's inbox (not validated yet) stay.

  KEYS[1] ready-keys set of the queue (its ready zsets, reached by name as in countQueue-3.lua)
  KEYS[2] delayed  zset of the queue
  KEYS[3] body     hash id -> raw
  KEYS[4] meta     hash id -> routing meta
  KEYS[5] dlv      hash id -> deliveries
  KEYS[6] run      hash id -> start of a run whose STARTED is implied
  KEYS[7] the list of REVOKED tasks (includes/taskLists)
  ARGV[1] max
  ARGV[2..6] record key prefix, event channel prefix, record TTL, built-in states and batch token
          (as applyUpdates-9.lua's ARGV[1..5])
  ARGV[7] REVOKED's allowed-source list
  ARGV[8] the REVOKED payload (',"meta":{"reason":"purged"}')
  ARGV[9], ARGV[10] the finished lists' count bound and age bound in ms
  Returns the messages removed, flat: id, stored message (message-fields.ts), ...
  Each purged message is kept in its task's timeline, and its id in the REVOKED list.
  Events: each REVOKED record on its task's event channel, where someone listens.
]]
--- @include "includes/nowMs"
--- @include "includes/bulk"
--- @include "includes/records"

local readyKeys, delayed, body, meta, dlv, run = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
local max = tonumber(ARGV[1])
local now = nowMs()
local ids = {}
local function take(key)
  local page = redis.call('ZRANGE', key, 0, max - #ids - 1)
  if #page == 0 then return end
  bulkCall('ZREM', key, page)
  for _, id in ipairs(page) do ids[#ids + 1] = id end
end
for _, key in ipairs(redis.call('SMEMBERS', readyKeys)) do
  if #ids >= max then break end
  take(key)
end
if #ids < max then take(delayed) end
if #ids == 0 then return {} end

-- The records first, while the messages that imply them are still there (includes/impliedRecord).
local raws = bulkQuery('HMGET', body, ids)
local b = newRecordBatch(ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], now, { body = body, meta = meta, run = run })
for _, id in ipairs(ids) do addRecordUpdate(b, id, jsonString(id), '', 'REVOKED', '', ARGV[7], ARGV[8]) end
loadRecords(b)
b.lists = taskLists(nil, nil, KEYS[7], ARGV[9], ARGV[10], ARGV[4], body, meta)
for u = 1, #b.updates do applyRecord(b, u) end
flushLists(b)
forgetJobs(body, meta, dlv, run, ids)

local out = {}
for j = 1, #ids do
  if raws[j] then
    out[#out + 1] = ids[j]
    out[#out + 1] = raws[j]
  end
end
return out
