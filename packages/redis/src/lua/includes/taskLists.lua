-- What the admin API reads of finished tasks (internal/task-listing.ts): per finished state
-- (SUCCESS, FAILURE, REVOKED) a list `{p}:done:<state>` of "<ms> <id>" entries, newest first (ms:
-- when it got there, its record's updatedAt), bounded by count (`taskListLimit`) and age
-- (`taskListTtl`). A list, not a zset: an LPUSH per batch costs far less per task than a sorted
-- insert, and its reply is the length, so knowing when to trim costs nothing. Adding trims when
-- the length crosses a multiple of TRIM_EVERY, so a list holds at most about TRIM_EVERY more than
-- its count bound, and old entries until then; readers apply both bounds exactly (trimTaskLists).
-- Live states (PENDING, STARTED, RETRY, user states) are not indexed: they are read from the
-- messages and leases themselves.
--
-- A settle keeps the finished task's message where it was, in `{p}:body`, rather than copying it
-- into the record (whose timeline line then names the run alone, see includes/timelines): its
-- `{p}:meta` field goes, so it is no longer waiting, running or dead. It lists the task as
-- "+<ms> <id>" (KEPT): the entry is what ends a kept body. When it leaves its list (its count
-- bound, or its age bound, which is at most the records' TTL, so no entry outlives its record by
-- more than a trim), the body goes with it. The other scripts that finish tasks list "<ms> <id>":
-- their records carry their messages, and the bodies go with the messages. The view of a finished
-- task thus shows its arguments while it is listed, and a body outlives its record until the next
-- trim at most.

local TRIM_EVERY = 64
local KEPT = '+'
local KEPT_BYTE = string.byte(KEPT)

-- An entry's time in ms.
local function entryTime(entry)
  return tonumber(string.match(entry, '^%+?(%d+)')) or 0
end

-- Drops the bodies kept for the tasks of entries that left a list, in age order ("+<ms> <id>",
-- see above; the others kept none). An entry older than the records' TTL is of a record that is
-- gone, and its id may be in use again since: its body goes unless a live message of that id (a
-- meta field) owns it. A younger entry's record is there, so its id is not in use again (a retry
-- or a forget takes its entry out of the list first).
local function dropKeptBodies(lists, entries, now)
  local n = #entries
  if n == 0 then return end
  local kept, byte, find, sub = lists.kept, string.byte, string.find, string.sub
  local before = now - kept.ttl
  -- In age order: when neither end is older than the records' TTL, none is (the usual case).
  local young = math.min(entryTime(entries[1]), entryTime(entries[n])) >= before
  local drop = {}
  for j = 1, n do
    local entry = entries[j]
    local space = byte(entry, 1) == KEPT_BYTE and find(entry, ' ', 1, true)
    if space then
      local id = sub(entry, space + 1)
      if young or entryTime(entry) >= before or redis.call('HEXISTS', kept.meta, id) == 0 then
        drop[#drop + 1] = id
      end
    end
  end
  bulkCall('HDEL', kept.body, drop)
end

-- Drops a list's entries beyond its newest `limit`, then those older than its age bound, from the
-- tail (the oldest) in pages of TRIM_EVERY: at most `pages` of them (nil: all). length: the
-- list's length if the caller knows it. The entries dropped take their kept bodies along.
local function trimTaskList(lists, key, now, pages, length)
  length = length or redis.call('LLEN', key)
  if length > lists.limit then dropKeptBodies(lists, redis.call('RPOP', key, length - lists.limit), now) end
  local cutoff = now - lists.ttl
  local page = 0
  repeat
    page = page + 1
    local tail = redis.call('LRANGE', key, -TRIM_EVERY, -1)
    local old = 0
    for j = #tail, 1, -1 do
      if entryTime(tail[j]) >= cutoff then break end
      old = old + 1
    end
    if old > 0 then
      redis.call('LTRIM', key, 0, -(old + 1))
      dropKeptBodies(lists, { unpack(tail, #tail - old + 1) }, now)
    end
  until old < TRIM_EVERY or (pages and page >= pages)
end

-- Lists tasks as finished in `state`: entries are their "<ms> <id>" (or "+<ms> <id>"), oldest
-- first. Trims the list when its length crosses a multiple of TRIM_EVERY (a few pages of old
-- entries at most).
local function addToTaskList(lists, state, entries, now)
  local key = lists.keys[state]
  local length = 0
  for start = 1, #entries, 4000 do length = redis.call('LPUSH', key, unpack(entries, start, math.min(start + 3999, #entries))) end
  if math.floor(length / TRIM_EVERY) ~= math.floor((length - #entries) / TRIM_EVERY) then trimTaskList(lists, key, now, 4, length) end
end

-- The finished lists of a script: their keys (SUCCESS, FAILURE, REVOKED: nil for one the script
-- never adds to) and bounds (count, and age, which is at most the records' TTL, `recordTtl`), and
-- where the bodies they keep are (body and meta keys; see dropKeptBodies).
local function taskLists(success, failure, revoked, limit, ttl, recordTtl, body, meta)
  local records = tonumber(recordTtl)
  return {
    keys = { SUCCESS = success, FAILURE = failure, REVOKED = revoked }, limit = tonumber(limit), ttl = math.min(tonumber(ttl), records),
    kept = { body = body, meta = meta, ttl = records },
  }
end
