--[[
  Moves a FAILURE record back to PENDING (seq + 1, attempt + 1), outside the state machine on
  purpose: a dead letter requeued by another broker (a split pair's `ResultBackend.reopen`) starts
  a new attempt. Any other record, or none, is left as it is.

  KEYS[1] record   the id's task record (rec:<id>)
  ARGV[1] record TTL ms
  ARGV[2] record event channel of the id
  ARGV[3] the id
  ARGV[4] the reason, put in the record's meta
  Returns the new stored value (header + record JSON), or false if nothing was reopened.
  Events: the reopened record on its event channel.
]]
--- @include "includes/nowMs"
--- @include "includes/bulk"
--- @include "includes/recordValue"

local record = KEYS[1]
local stored = redis.call('GET', record)
if not stored then return false end
local state, seqText, attempt, len, pos = string.match(stored, '^([^\n]*)\n(%d+)\n(%d+)\n%d+\n[^\n]*\n(%d+)\n()')
if state ~= 'FAILURE' then return false end
local taskJson = string.sub(stored, pos, pos + tonumber(len) - 1)
local value, head = recordValue('PENDING', digits(tonumber(seqText) + 1), digits(tonumber(attempt) + 1), digits(nowMs()), '', '', len, taskJson, cjson.encode(ARGV[3]),
  ',"meta":' .. cjson.encode({ reason = ARGV[4] }))
redis.call('SET', record, value, 'PX', ARGV[1])
redis.call('PUBLISH', ARGV[2], string.sub(value, head + 1))
return value
