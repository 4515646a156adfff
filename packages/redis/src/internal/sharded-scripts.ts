import type { ScriptDefinition } from './scripts.generated.js';

/**
 * What a script becomes on a Redis Cluster, where events are sharded messages:
 *
 * - every `PUBLISH` is an `SPUBLISH`: sharded messages reach the nodes of the slot's shard only
 *   (not every node of the cluster over its bus), and a store's subscriber listens on that shard
 *   (see cluster-subscriber.ts);
 * - no decision asks who listens: `PUBSUB NUMPAT` and `NUMSUB` count the subscribers of the node
 *   the script runs on, and on a cluster the listeners may be on a replica of it (after a failover,
 *   or by the user's choice), so a script that trusted them would skip events that someone waits
 *   for. Every listener check in the scripts starts with the `NUMPAT` check, which publishes every
 *   event when it says yes (`includes/watchedChannels.lua`, `settleOne`): here it always says yes.
 *
 * The same Lua otherwise, so one script set serves both; a script whose text does not fit these
 * rewrites (a publish or a count of listeners written another way) throws here, and the test of
 * every script's cluster form (test/sharded-scripts.test.ts) fails before such a script ships.
 */
export function shardedScript(script: ScriptDefinition): ScriptDefinition {
  let sharded = cache.get(script);
  if (sharded === undefined) {
    sharded = { name: `${script.name}_sharded`, numberOfKeys: script.numberOfKeys, lua: shardedLua(script) };
    cache.set(script, sharded);
  }
  return sharded;
}

const cache = new WeakMap<ScriptDefinition, ScriptDefinition>();

/** The listener checks as the scripts write them, each answered "someone may listen". */
const LISTENER_CHECKS = [
  // settleOne: one task's channel.
  { from: "redis.call('PUBSUB', 'NUMPAT') > 0 or redis.call('PUBSUB', 'NUMSUB', channel)[2] > 0", to: 'true' },
  // includes/watchedChannels: nil means "every channel may be heard".
  { from: "if #ids == 0 or redis.call('PUBSUB', 'NUMPAT') > 0 then return nil end", to: 'do return nil end' },
];

function shardedLua(script: ScriptDefinition): string {
  let lua = script.lua.replaceAll("redis.call('PUBLISH', ", "redis.call('SPUBLISH', ");
  for (const { from, to } of LISTENER_CHECKS) lua = lua.replaceAll(from, to);
  // watchedChannels' body after its first line is unreachable now: drop what would still count.
  lua = lua.replace(/(local function watchedChannels\(channelPrefix, ids\)\n {2}do return nil end\n)[\s\S]*?\nend\n/, '$1end\n');
  const left = /(['"])(PUBLISH|PUBSUB)\1/i.exec(lua);
  if (left !== null) throw new Error(`Lua script ${script.name}: ${left[0]} written in a way the Redis Cluster form cannot rewrite (see sharded-scripts.ts)`);
  return lua;
}
