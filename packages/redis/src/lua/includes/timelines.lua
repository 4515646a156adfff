-- A task's timeline (internal/task-timeline.ts reads it): what is lost when a state is replaced,
-- oldest first, in lines:
--   R<run value>\t<message>   a run whose PENDING and STARTED were implied (includes/impliedRecord):
--                             its message (arguments, queue, createdAt, attempt) and its `{p}:run`
--                             value (start, worker)
--   R<run value>              the same, its message kept in `{p}:body` instead: a settle's, which
--                             keeps the body of the task it finishes (see includes/taskLists)
--   P<message>                a message whose PENDING was implied ('P' alone: kept in `{p}:body`)
--   M<message>                the message alone (ResultBackend.remember)
--   E<state>\t<at>\t<attempt><worker fragment>   a stored record replaced by another state (a
--                             repeated state such as PROGRESS is written once, at its last change)
-- The first line, R or P (the states before any stored record), rides in the record itself, after
-- its JSON and a newline: written with the record (a worker's settle adds no key), kept as long as
-- it is, and carried by every later write of it (keptLine). The other lines are in the string
-- `{p}:tl:<id>`, which lives as long as the record (`resultTtl`). The current record is the
-- timeline's last entry. Messages are our producers' JSON: no raw newline or tab.
-- A record reopened (a retry) stops relying on a kept body: its line takes the message along
-- (withMessage), since the body is replaced by the new attempt's and may go with its delivery.

-- `{p}:tl:` from the record key prefix `{p}:rec:` (both named in internal/keys.ts).
local function timelinePrefix(recordPrefix)
  return string.sub(recordPrefix, 1, -5) .. 'tl:'
end

-- The line a stored record carries after its JSON, with its newline ('' for none). pos: where the
-- header's task JSON starts, len its length (the record JSON follows it, with no raw newline).
local function keptLine(stored, pos, len)
  local cut = string.find(stored, '\n', pos + len, true)
  return cut and string.sub(stored, cut) or ''
end

-- Whether a kept line (keptLine) holds its message: an R line with one after its tab, a P line
-- with one; not an R or P line whose message is kept in `{p}:body`, nor no line.
local function carriesMessage(line)
  return string.find(line, '\t', 1, true) ~= nil or (#line > 2 and string.sub(line, 2, 2) == 'P')
end

-- A kept line (keptLine) with its message, read from `{p}:body` (bodyKey) if the line names none.
local function withMessage(line, bodyKey, id)
  if line == '' or carriesMessage(line) then return line end
  local raw = redis.call('HGET', bodyKey, id)
  if not raw then return line end
  if string.sub(line, 2, 2) == 'R' then return line .. '\t' .. raw end
  return line .. raw
end

-- The worker fragment (',"worker":"<id>"') of a stored record, or ''. The record JSON's own
-- updatedAt is the first bare ',"updatedAt":' (the id's and task's quotes are escaped), and the
-- worker is written right after it.
local function storedWorker(stored)
  local at = string.find(stored, ',"updatedAt":', 1, true)
  return at and string.match(stored, '^,"updatedAt":%d+(,"worker":"[^"\\]*")', at) or ''
end

-- Adds a line to a task's timeline string, which then lives as long as its record.
local function appendTimeline(key, line, ttl)
  redis.call('APPEND', key, line)
  redis.call('PEXPIRE', key, ttl)
end
