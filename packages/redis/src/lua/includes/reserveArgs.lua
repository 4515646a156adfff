-- The reserve's arguments from ARGV[4] on (see reserveJobs-9.lua): its acks, rate limits and
-- queues, and whether to store STARTED. Returns acks (lease members), rates ({ key, limit,
-- interval } per limit), queues ({ name, delayed, inbox, inboxRoute, ready = { ready keys },
-- rate = { rate limit index per ready key, 0 for none } }), and start: nil, or { batch, sources,
-- worker } for STARTED (an empty record batch, see includes/records, STARTED's allowed sources and
-- the reserving worker as the record's JSON fragment, ',"worker":"<id>"' or '').
local function readReserveArgs(k, now)
  local cursor = 3
  local function nextArg()
    cursor = cursor + 1
    return ARGV[cursor]
  end
  local acks = {}
  for j = 1, tonumber(nextArg()) do acks[j] = nextArg() end
  local rates = {}
  for r = 1, tonumber(nextArg()) do
    -- One statement per argument: Lua does not promise the evaluation order inside a constructor.
    local key = nextArg()
    local limit = tonumber(nextArg())
    local interval = tonumber(nextArg())
    rates[r] = { key = key, limit = limit, interval = interval }
  end
  local queues = {}
  for q = 1, tonumber(nextArg()) do
    local name = nextArg()
    local delayed = nextArg()
    local inbox = nextArg()
    local inboxRoute = nextArg()
    local queue = { name = name, delayed = delayed, inbox = inbox, inboxRoute = inboxRoute, ready = {}, rate = {} }
    for j = 1, tonumber(nextArg()) do
      queue.ready[j] = nextArg()
      queue.rate[j] = tonumber(nextArg())
    end
    queues[q] = queue
  end
  local start = nil
  if nextArg() == '1' then
    local prefix, channels, ttl, builtins, batch = nextArg(), nextArg(), nextArg(), nextArg(), nextArg()
    local sources = nextArg()
    start = { batch = newRecordBatch(prefix, channels, ttl, builtins, batch, now, k), sources = sources, worker = nextArg() }
  end
  return acks, rates, queues, start
end
