-- What the admin API reads of finished tasks (internal/task-listing.ts): per finished state
-- (SUCCESS, FAILURE, REVOKED) a list `{p}:done:<state>` of "<ms> <id>" entries, newest first (ms:
-- when it got there, its record's updatedAt), bounded by count (`taskListLimit`) and age
-- (`taskListTtl`). A list, not a zset: an LPUSH per batch costs far less per task than a sorted
-- insert, and its reply is the length, so knowing when to trim costs nothing. Adding trims when
-- the length crosses a multiple of TRIM_EVERY, so a list holds at most about TRIM_EVERY more than
-- its count bound, and old entries until then; readers apply both bounds exactly (trimTaskLists).
-- Live states (PENDING, STARTED, RETRY, user states) are not indexed: they are read from the
-- messages and leases themselves.

local TRIM_EVERY = 64

-- Drops a list's entries beyond its newest `limit`, then those older than its age bound, from the
-- tail (the oldest) in pages of TRIM_EVERY: at most `pages` of them (nil: all).
local function trimTaskList(lists, key, now, pages)
  redis.call('LTRIM', key, 0, lists.limit - 1)
  local cutoff = now - lists.ttl
  local page = 0
  repeat
    page = page + 1
    local tail = redis.call('LRANGE', key, -TRIM_EVERY, -1)
    local old = 0
    for j = #tail, 1, -1 do
      if tonumber(string.match(tail[j], '^%d+')) >= cutoff then break end
      old = old + 1
    end
    if old > 0 then redis.call('LTRIM', key, 0, -(old + 1)) end
  until old < TRIM_EVERY or (pages and page >= pages)
end

-- Lists tasks as finished in `state`: entries are their "<ms> <id>", oldest first. Trims the list
-- when its length crosses a multiple of TRIM_EVERY (a few pages of old entries at most).
local function addToTaskList(lists, state, entries, now)
  local key = lists.keys[state]
  local length = 0
  for start = 1, #entries, 4000 do length = redis.call('LPUSH', key, unpack(entries, start, math.min(start + 3999, #entries))) end
  if math.floor(length / TRIM_EVERY) ~= math.floor((length - #entries) / TRIM_EVERY) then trimTaskList(lists, key, now, 4) end
end

-- The finished lists of a script: their keys (SUCCESS, FAILURE, REVOKED: nil for one the script
-- never adds to) and bounds.
local function taskLists(success, failure, revoked, limit, ttl)
  return { keys = { SUCCESS = success, FAILURE = failure, REVOKED = revoked }, limit = tonumber(limit), ttl = tonumber(ttl) }
end
