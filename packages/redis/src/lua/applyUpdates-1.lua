--[[
  Applies task state updates. Each is checked against the state machine atomically: the caller
  passes the states the record may be in for the update to be allowed (core's allowedSources), so
  the transition table has one home, in TypeScript. An accepted update bumps seq, stores the
  record (refreshing its TTL) and publishes it on the task's event channel.

  Stored value: "<state>\n<seq>\n<attempt>\n<updatedAt>\n<token>\n<task JSON length>\n<task JSON><record JSON>"
  The header lets this script check a move without decoding JSON. The token identifies the update
  that wrote it: a batch resent after a reconnect lost its reply is recognised, not applied twice.

  KEYS[1] the record key of the first update: routes the call to the prefix's hash slot. Every
          record key is ARGV[1] .. id, in that same slot ({prefix} hash tag).
  ARGV[1] record key prefix
  ARGV[2] event channel prefix
  ARGV[3] record TTL ms
  ARGV[4] the built-in states as ",PENDING,STARTED,...,": any other stored state is a user state
  ARGV[5] batch token (unique per call; update u's token is "<batch token>.<u>")
  ARGV[6] number of allowed-source lists, then the lists as ",A,B," ("no record" is the empty
          name, so ",,"; any user state is "*user*")
  then the number of updates, then the updates packed in one argument (includes/packedFields),
          6 fields each: id as JSON, task as JSON ('' keeps the stored one), state, attempt (''
          keeps the stored one, 1 on creation), index of its allowed-source list, payload JSON
          fragment (',"meta":{...}' or '')
  Returns { now, seq or 0 per update (0: refused), then in update order the extras:
            for a refused update its stored value (false if none);
            for an applied update that kept the stored task or attempt: attempt, task JSON }
]]
--- @include "includes/nowMs"
--- @include "includes/packedFields"

local now = nowMs()
local nowDigits = string.format('%d', now)
local prefix, channels, ttl, builtins, batch = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local nSources = tonumber(ARGV[6])
local n = tonumber(ARGV[7 + nSources])
local updates, keys = {}, {}
local u = 0
for idJson, taskJson, state, attempt, sourcesIndex, payload in packedRecords(ARGV[8 + nSources], 6) do
  u = u + 1
  local id = idFromJson(idJson)
  updates[u] = { id = id, idJson = idJson, taskJson = taskJson, state = state, attempt = attempt, sources = ARGV[6 + tonumber(sourcesIndex)], payload = payload }
  keys[u] = prefix .. id
end
-- One MGET for the batch; `written` holds what this call wrote, for a second update of one id.
local current = {}
for start = 1, n, 4000 do
  local part = redis.call('MGET', unpack(keys, start, math.min(start + 3999, n)))
  for j = 1, #part do current[start + j - 1] = part[j] end
end
local written = {}
local out = { now }
local extras = {}
for u = 1, n do
  local up = updates[u]
  local id, idJson, taskJson, state, attempt, sources, payload = up.id, up.idJson, up.taskJson, up.state, up.attempt, up.sources, up.payload
  local token = batch .. '.' .. string.format('%d', u)
  local key = keys[u]
  local stored = written[key]
  if stored == nil then stored = current[u] end
  local curState, curSeq, curAttempt, curToken, curTask = '', 0, nil, nil, nil
  if stored then
    local s, q, a, _, t, len, pos = string.match(stored, '^([^\n]*)\n(%d+)\n(%d+)\n(%d+)\n([^\n]*)\n(%d+)\n()')
    curState, curSeq, curAttempt, curToken = s, tonumber(q), a, t
    curTask = string.sub(stored, pos, pos + tonumber(len) - 1)
  end
  if stored and curToken == token then
    -- Already applied: this batch is a resend after a reconnect lost the reply.
    out[u + 1] = curSeq
    if taskJson == '' or attempt == '' then
      extras[#extras + 1] = curAttempt
      extras[#extras + 1] = curTask
    end
  else
    local allowed = string.find(sources, ',' .. curState .. ',', 1, true) ~= nil
    if not allowed and curState ~= '' and string.find(sources, ',*user*,', 1, true)
      and not string.find(builtins, ',' .. curState .. ',', 1, true) then
      allowed = true
    end
    local task = taskJson
    if task == '' then task = curTask end
    if allowed and task then
      local seq = curSeq + 1
      local seqDigits = string.format('%d', seq)
      local keptAttempt = attempt == ''
      if keptAttempt then attempt = curAttempt or '1' end
      local record = '{"id":' .. idJson .. ',"task":' .. task .. ',"state":"' .. state .. '","seq":' .. seqDigits ..
        ',"attempt":' .. attempt .. ',"updatedAt":' .. nowDigits .. payload .. '}'
      local value = state .. '\n' .. seqDigits .. '\n' .. attempt .. '\n' .. nowDigits .. '\n' .. token .. '\n' .. string.format('%d', #task) .. '\n' .. task .. record
      redis.call('SET', key, value, 'PX', ttl)
      written[key] = value
      redis.call('PUBLISH', channels .. id, record)
      out[u + 1] = seq
      if taskJson == '' or keptAttempt then
        extras[#extras + 1] = attempt
        extras[#extras + 1] = task
      end
    else
      out[u + 1] = 0
      extras[#extras + 1] = stored or false
    end
  end
end
for _, v in ipairs(extras) do out[#out + 1] = v end
return out
