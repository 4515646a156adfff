--- @include "includes/bulk"

-- Which of these tasks' event channels (channelPrefix .. id) have a subscriber: heard[j] is true if
-- ids[j]'s has one; nil if any pattern subscription exists (then every channel may be heard). A
-- PUBLISH nobody receives costs Redis as much as one that is received, and most tasks are followed
-- by nobody. Safe because the check is atomic with the caller's changes: a SUBSCRIBE that Redis ran
-- before this script is counted, and a subscriber whose SUBSCRIBE runs after it reads the record
-- this script wrote (every reader of events subscribes first, then reads). Assumes subscribers on
-- this server, not on a replica.
-- For several ids, the prefix's follow channel (channelPrefix .. '*', see followChannel in keys.ts)
-- is asked first: every follower of a task's events is on it while it follows any, so when nobody
-- is, no channel is built and none is asked for.
local function watchedChannels(channelPrefix, ids)
  if #ids == 0 or redis.call('PUBSUB', 'NUMPAT') > 0 then return nil end
  if #ids > 1 and redis.call('PUBSUB', 'NUMSUB', channelPrefix .. '*')[2] == 0 then return {} end
  local channels = {}
  for j = 1, #ids do channels[j] = channelPrefix .. ids[j] end
  -- NUMSUB answers channel, count for each channel asked, in order.
  local counts = bulkQuery('PUBSUB', 'NUMSUB', channels)
  local heard = {}
  for j = 1, #ids do heard[j] = counts[j * 2] > 0 end
  return heard
end
