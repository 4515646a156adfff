--[[
  Records a revocation (kept for a while, so a message published or redelivered later is dropped
  too), removes the message if it is waiting or delayed, and tells every process. A running
  message keeps its lease: its worker aborts it on the announcement, then acknowledges it. A dead
  letter stays where it is.

  A waiting or delayed message that carries a workflow (chain, errbacks or chord) under a terminal
  record (the caller stored REVOKED first) is kept where it is instead, and the id is not recorded
  as revoked: the worker that takes it has its STARTED refused by the record and ends the workflow,
  so a caller that dies before ending it loses nothing.

  KEYS[1] revoked  zset id -> revoke time
  KEYS[2] body     hash id -> raw
  KEYS[3] meta     hash id -> routing meta
  KEYS[4] dlv      hash id -> deliveries
  KEYS[5] routes   hash key -> JSON [delayed key, queue]
  KEYS[6] reasons  hash id -> why it died (dead letters)
  KEYS[7] run      hash id -> start of a run whose STARTED is implied
  KEYS[8] record   the task's record (see applyUpdates-9.lua: its state comes first)
  ARGV[1] id
  ARGV[2] how long revocations are kept, ms
  ARGV[3] revocation channel
  Returns the raw message if a waiting or delayed message was removed or kept (its workflow is the
  caller's to end), else 0.
  Events: the id on the revocation channel.
]]
--- @include "includes/nowMs"
--- @include "includes/bulk"
--- @include "includes/jobMeta"

local revoked, body, meta, dlv, routes, reasons, run = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7]
local now = nowMs()
local id = ARGV[1]

local TERMINAL = { SUCCESS = true, FAILURE = true, REVOKED = true }
-- Whether the message is kept: it carries a workflow, and its record refuses STARTED.
local function keeps(raw)
  local record = redis.call('GET', KEYS[8])
  if not (record and TERMINAL[string.match(record, '^[^\n]*')]) then return false end
  local ok, message = pcall(cjson.decode, raw)
  return ok and type(message) == 'table' and (message.chain ~= nil or message.errbacks ~= nil or message.chord ~= nil)
end

local raw, kept = false, false
local routing = redis.call('HGET', meta, id)
if routing and redis.call('HEXISTS', reasons, id) == 0 then
  local score, key = parseMeta(routing)
  if score ~= 'inbox' then
    local delayedKey = routeOf(routes, key)
    local waiting = redis.call('ZSCORE', key, id) or (delayedKey ~= '' and redis.call('ZSCORE', delayedKey, id))
    if waiting then
      raw = redis.call('HGET', body, id)
      kept = raw and keeps(raw)
      if not kept then
        redis.call('ZREM', key, id)
        if delayedKey ~= '' then redis.call('ZREM', delayedKey, id) end
        forgetJobs(body, meta, dlv, run, { id })
      end
    end
  end
end
if not kept then redis.call('ZADD', revoked, now, id) end
redis.call('ZREMRANGEBYSCORE', revoked, '-inf', now - tonumber(ARGV[2]))
redis.call('PUBLISH', ARGV[3], id)
return raw or 0
