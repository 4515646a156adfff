import { Command, Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { PreparedScript, runScript } from '../src/internal/scripts.js';
import type { ScriptDefinition } from '../src/internal/scripts.generated.js';
import { type TestRedis, uniquePrefix, useRedisServer } from './helpers/redis.js';

let server: TestRedis;
useRedisServer((started) => {
  server = started;
});

/** A script that returns its KEYS and ARGV as it received them; a fresh source per test, so no other test has cached it. */
function echoScript(): ScriptDefinition {
  return { name: 'test_echo', numberOfKeys: 2, lua: `-- ${uniquePrefix('echo')}\nlocal out = { KEYS[1], KEYS[2] }\nfor _, v in ipairs(ARGV) do out[#out + 1] = v end\nreturn out` };
}

/** A client, and the script commands it sends from now on (EVALSHA or EVAL), by name. */
async function withClient(run: (client: Redis, sent: string[]) => Promise<void>): Promise<void> {
  const client = new Redis(server.url);
  // Connected first: a command sent before is queued, then passes through sendCommand again.
  await client.ping();
  const sent: string[] = [];
  const send = client.sendCommand.bind(client);
  client.sendCommand = (command: Command, stream?: Parameters<Redis['sendCommand']>[1]) => {
    if (command.name === 'evalsha' || command.name === 'eval') sent.push(command.name);
    return send(command, stream);
  };
  try {
    await run(client, sent);
  } finally {
    client.disconnect();
  }
}

describe('a prepared script call', () => {
  it('sends the bound keys and leading arguments, then its own, byte-exact', async () => {
    await withClient(async (client) => {
      const script = new PreparedScript(echoScript(), ['{p}:a', '{p}:b'], ['lead', 7]);
      // Multi-byte characters, an empty string, numbers and a newline: lengths are counted in bytes.
      const own = ['héllo ✓', '', 42, 'line\nbreak', '𝄞'];
      expect(await script.run(client, own)).toEqual(['{p}:a', '{p}:b', 'lead', '7', 'héllo ✓', '', '42', 'line\nbreak', '𝄞']);
      expect(await script.run(client, [])).toEqual(['{p}:a', '{p}:b', 'lead', '7']);
    });
  });

  it('loads the script with EVAL when the server does not have it, then goes back to EVALSHA', async () => {
    await withClient(async (client, sent) => {
      const script = new PreparedScript(echoScript(), ['k1', 'k2']);
      expect(await script.run(client, ['first'])).toEqual(['k1', 'k2', 'first']);
      expect(await script.run(client, ['second'])).toEqual(['k1', 'k2', 'second']);
      // The first call found the script missing (NOSCRIPT) and sent it; the second found it cached.
      expect(sent).toEqual(['evalsha', 'eval', 'evalsha']);

      // As after a Redis restart: the cache is empty again.
      await client.script('FLUSH');
      sent.length = 0;
      expect(await script.run(client, ['third'])).toEqual(['k1', 'k2', 'third']);
      expect(await script.run(client, ['fourth'])).toEqual(['k1', 'k2', 'fourth']);
      expect(sent).toEqual(['evalsha', 'eval', 'evalsha']);
    });
  });

  it("rejects with the script's own error, without a second send", async () => {
    await withClient(async (client, sent) => {
      const failing: ScriptDefinition = { name: 'test_fail', numberOfKeys: 0, lua: `-- ${uniquePrefix('fail')}\nreturn redis.error_reply('ERR the script refused')` };
      await expect(runScript(client, failing, [], [])).rejects.toThrow('ERR the script refused');
      // NOSCRIPT, then the EVAL that fails: nothing more.
      expect(sent).toEqual(['evalsha', 'eval']);
      sent.length = 0;
      await expect(runScript(client, failing, [], [])).rejects.toThrow('ERR the script refused');
      expect(sent).toEqual(['evalsha']);
    });
  });

  it('refuses keys that do not match the script', () => {
    expect(() => new PreparedScript(echoScript(), ['only-one'])).toThrow('Lua script test_echo takes 2 keys, got 1');
  });
});
