import { describe, expect, it } from 'vitest';
import { shardedScript } from '../src/internal/sharded-scripts.js';
import { SCRIPTS } from '../src/internal/scripts.js';

const count = (text: string, what: string) => text.split(what).length - 1;

describe("the scripts' Redis Cluster form", () => {
  it('publishes with SPUBLISH wherever the script publishes, and never asks who listens', () => {
    for (const script of Object.values(SCRIPTS)) {
      const sharded = shardedScript(script);
      expect(sharded.numberOfKeys, script.name).toBe(script.numberOfKeys);
      expect(sharded.lua, script.name).not.toMatch(/(['"])(PUBLISH|PUBSUB|NUMSUB|NUMPAT)\1/i);
      expect(count(sharded.lua, "redis.call('SPUBLISH', "), script.name).toBe(count(script.lua, "redis.call('PUBLISH', "));
    }
  });

  it('answers every listener check "someone may listen", so every event is published', () => {
    // The two places that decide: the lone settle, and the batches' check (includes/watchedChannels).
    expect(SCRIPTS.settleOne.lua).toContain("redis.call('PUBSUB', 'NUMSUB', channel)");
    expect(shardedScript(SCRIPTS.settleOne).lua).toContain('if true then');
    const watched = /local function watchedChannels\(channelPrefix, ids\)\n([\s\S]*?)\nend\n/.exec(shardedScript(SCRIPTS.settleShaped).lua);
    expect(watched?.[1]).toBe('  do return nil end');
  });

  it('refuses a script that publishes or counts listeners in a way it cannot rewrite', () => {
    const odd = { name: 'odd', numberOfKeys: 1, lua: 'return redis.pcall("PUBLISH", KEYS[1], "x")' };
    expect(() => shardedScript(odd)).toThrow('Lua script odd: "PUBLISH" written in a way the Redis Cluster form cannot rewrite');
  });

  it('leaves the single-server scripts as they are', () => {
    expect(SCRIPTS.settleOne.lua).toContain("redis.call('PUBLISH', channel");
    expect(shardedScript(SCRIPTS.settleOne)).toBe(shardedScript(SCRIPTS.settleOne));
    expect(shardedScript(SCRIPTS.settleOne).name).toBe(`${SCRIPTS.settleOne.name}_sharded`);
  });
});
