-- Moves a queue's delayed messages whose eta has come to their ready zsets. Bounded per call.
-- Returns how many moved.
local function promoteDue(k, delayedKey, now)
  local due = redis.call('ZRANGEBYSCORE', delayedKey, '-inf', now, 'LIMIT', 0, 1000)
  if #due == 0 then return 0 end
  bulkCall('ZREM', delayedKey, due)
  local metas = bulkQuery('HMGET', k.meta, due)
  local byKey = {}
  for j = 1, #due do
    if metas[j] then
      local score, key = parseMeta(metas[j])
      local args = byKey[key]
      if not args then
        args = {}
        byKey[key] = args
      end
      args[#args + 1] = score
      args[#args + 1] = due[j]
    end
  end
  for key, args in pairs(byKey) do bulkCall('ZADD', key, args) end
  return #due
end
