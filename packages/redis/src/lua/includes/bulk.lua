-- Multi-element commands instead of one call per message: a redis.call costs far more than one
-- more element. Chunked, since Lua's unpack() fails past about 8000 values.

-- `command key args...`, in chunks of at most 4000 arguments (an even number: pairs stay whole).
local function bulkCall(command, key, args)
  for start = 1, #args, 4000 do
    redis.call(command, key, unpack(args, start, math.min(start + 3999, #args)))
  end
end

-- Joins the replies of a command sent in chunks; one chunk (the usual case) is its reply as is.
local function joinedReplies(send, n)
  if n == 0 then return {} end
  if n <= 4000 then return send(1, n) end
  local out, count = {}, 0
  for start = 1, n, 4000 do
    local part = send(start, math.min(start + 3999, n))
    for j = 1, #part do out[count + j] = part[j] end
    count = count + #part
  end
  return out
end

-- `command key args...` for a command replying one value per argument (ZMSCORE, HMGET), joined.
local function bulkQuery(command, key, args)
  -- One chunk (the usual case) without the closure joinedReplies takes: it shows in a lone call.
  if #args <= 4000 then return #args == 0 and {} or redis.call(command, key, unpack(args)) end
  return joinedReplies(function(from, to) return redis.call(command, key, unpack(args, from, to)) end, #args)
end

-- bulkQuery of a key that is usually absent (nothing revoked, no delivery counted): an absent key
-- answers nil for every argument without a command that carries them all.
local function bulkQueryUnlessAbsent(command, key, args)
  if redis.call('EXISTS', key) == 0 then return {} end
  return bulkQuery(command, key, args)
end

-- MGET of any number of keys, in chunks.
local function bulkGet(keys)
  if #keys <= 4000 then return #keys == 0 and {} or redis.call('MGET', unpack(keys)) end
  return joinedReplies(function(from, to) return redis.call('MGET', unpack(keys, from, to)) end, #keys)
end

-- One field with a value over 64 bytes keeps a hash in Redis's hashtable encoding. Redis keeps a
-- hash of at most 128 short fields compact (a listpack) and finds a field by scanning it, and the
-- hashes written and read for every task in flight ({p}:run, {p}:meta) are usually that small.
-- `{p}:body` gets it too: a compact message is under 64 bytes, and Redis 7.0 fills a new listpack
-- hash with a whole HSET's fields before it converts, each insert scanning the ones before it (a
-- quadratic cost in the batch: a first enqueue of 1,000 messages cost as much again).
local ENCODING_FIELD = '\0encoding'
local ENCODING_VALUE = 'a value longer than 64 bytes keeps this hash in the hashtable encoding, for constant-time lookups'

-- Drops messages' stored fields: body, routing meta, delivery count, implied start (the hash
-- `{p}:run`, see includes/impliedRecord). With bodyKey false the bodies stay: a message whose
-- finished record relies on its body (a settle's, see includes/taskLists) is no longer live
-- without its meta, whose field is what makes a message waiting, running or dead.
local function forgetJobs(bodyKey, metaKey, dlvKey, runKey, ids)
  if #ids == 0 then return end
  if bodyKey then bulkCall('HDEL', bodyKey, ids) end
  bulkCall('HDEL', metaKey, ids)
  bulkCall('HDEL', dlvKey, ids)
  bulkCall('HDEL', runKey, ids)
end

-- An integer as digits. Always pass numbers to redis.call and '..' this way: Lua would print them
-- with '%.17g'/'%.14g' (slow in glibc, and large ones in exponent form).
local function digits(n)
  return string.format('%d', n)
end
