-- What the admin API reads of tasks past their messages (internal/task-listing.ts decodes it):
--
-- * Per finished state (SUCCESS, FAILURE, REVOKED) a zset `{p}:done:<state>` of ids scored by the
--   time they got there, bounded by count (`taskListLimit`) and age (`taskListTtl`). Adding trims
--   only when the list's size crosses a multiple of TRIM_EVERY, so a list holds at most about
--   TRIM_EVERY more than its count bound and the trim costs nothing on most calls; readers apply
--   both bounds exactly. Live states (PENDING, STARTED, RETRY, user states) are not indexed: they
--   are read from the messages and leases themselves.
-- * Per task a timeline `{p}:tl:<id>` (a string kept as long as its record, `resultTtl`) of what is
--   lost when a state is replaced: lines, oldest first:
--     R<run value>\t<message>   a run whose PENDING and STARTED were implied (includes/impliedRecord):
--                               its message (arguments, queue, createdAt, attempt) and its `{p}:run`
--                               value (start, worker)
--     P<message>                a message whose PENDING was implied
--     M<message>                the message alone (ResultBackend.remember)
--     E<state>\t<at>\t<attempt><worker fragment>   a stored record replaced by another state (a
--                               repeated state such as PROGRESS is written once, at its last change)
--   The current record is the timeline's last entry. Messages are our producers' JSON: no raw
--   newline or tab.

local TRIM_EVERY = 64

-- `{p}:tl:` from the record key prefix `{p}:rec:` (both named in internal/keys.ts).
local function timelinePrefix(recordPrefix)
  return string.sub(recordPrefix, 1, -5) .. 'tl:'
end

-- The worker fragment (',"worker":"<id>"') of a stored record, or ''. The record JSON's own
-- updatedAt is the first bare ',"updatedAt":' (the id's and task's quotes are escaped), and the
-- worker is written right after it.
local function storedWorker(stored)
  local at = string.find(stored, ',"updatedAt":', 1, true)
  return at and string.match(stored, '^,"updatedAt":%d+(,"worker":"[^"\\]*")', at) or ''
end

-- Adds a line to a task's timeline, which then lives as long as its record.
local function appendTimeline(key, line, ttl)
  redis.call('APPEND', key, line)
  redis.call('PEXPIRE', key, ttl)
end

-- Drops a list's entries older than `ttl` ms and those beyond its newest `limit`.
local function trimTaskList(key, limit, ttl, now)
  redis.call('ZREMRANGEBYSCORE', key, '-inf', '(' .. digits(now - ttl))
  redis.call('ZREMRANGEBYRANK', key, 0, -(limit + 1))
end

-- Lists ids in a finished state's zset: scored is { time, id, time, id... }. Trims the list when its
-- size crosses a multiple of TRIM_EVERY (one ZCARD otherwise).
local function addToTaskList(key, scored, limit, ttl, now)
  bulkCall('ZADD', key, scored)
  local size = redis.call('ZCARD', key)
  if math.floor(size / TRIM_EVERY) ~= math.floor((size - #scored / 2) / TRIM_EVERY) then trimTaskList(key, limit, ttl, now) end
end

-- The finished lists of a script: its three keys (KEYS, in the order SUCCESS, FAILURE, REVOKED) and
-- the bounds (ARGV: limit, ttl).
local function taskLists(success, failure, revoked, limit, ttl)
  return { keys = { SUCCESS = success, FAILURE = failure, REVOKED = revoked }, limit = tonumber(limit), ttl = tonumber(ttl) }
end
