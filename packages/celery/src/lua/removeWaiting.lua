--[[
  Removes the waiting or parked message of a task id (a revoke): searches the given queue lists
  and the parked ETA messages. Revocation itself is the revoked set, checked by every reserve.
  With ARGV[2] '1', only finds it (revoke looks first for a message it may keep).

  KEYS[1] unacked  KEYS[2] unacked_index  KEYS[3] parked  KEYS[4..] queue lists
  ARGV[1] the task id, as a JSON string ("...")
  ARGV[2] '1' to leave the message where it is, '' to remove it
  Returns the envelope removed (or found), or false.
  Events: none.
]]
local needle = ARGV[1]
local peek = ARGV[2] == '1'
local function isIt(raw)
  if not string.find(raw, needle, 1, true) then return false end
  local ok, env = pcall(cjson.decode, raw)
  return ok and type(env) == 'table' and type(env.headers) == 'table' and cjson.encode(env.headers.id) == needle
end
for k = 4, #KEYS do
  for _, raw in ipairs(redis.call('LRANGE', KEYS[k], 0, -1)) do
    if isIt(raw) then
      if not peek then redis.call('LREM', KEYS[k], 1, raw) end
      return raw
    end
  end
end
local tags = redis.call('HKEYS', KEYS[3])
for _, tag in ipairs(tags) do
  local held = redis.call('HGET', KEYS[1], tag)
  local envelope = held and string.match(held, '^%[(.*), "[^"]*", "[^"]*"%]$')
  if envelope and isIt(envelope) then
    if peek then return envelope end
    redis.call('HDEL', KEYS[1], tag)
    redis.call('ZREM', KEYS[2], tag)
    redis.call('HDEL', KEYS[3], tag)
    return envelope
  end
end
return false
