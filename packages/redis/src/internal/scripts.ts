import type { Redis } from 'ioredis';
import { PreparedScript, type ScriptArg } from './script-command.js';
import { SCRIPTS, type ScriptDefinition } from './scripts.generated.js';

export { PreparedScript, SCRIPTS, type ScriptArg };

/**
 * Registers every script on a client with `defineCommand` (EVALSHA, falling back to EVAL after a
 * Redis restart empties the script cache). Idempotent: a client shared by a broker and a backend,
 * or given by the user, is set up once.
 */
export function defineScripts(redis: Redis): void {
  const commands = redis as unknown as Record<string, unknown>;
  for (const script of Object.values(SCRIPTS) as ScriptDefinition[]) {
    if (typeof commands[script.name] === 'function') continue;
    redis.defineCommand(script.name, { lua: script.lua, numberOfKeys: script.numberOfKeys });
  }
}

/**
 * Runs a script once. `keys` must have exactly the script's number of KEYS. A script called often
 * with the same keys is better bound once as a {@link PreparedScript}.
 */
export function runScript(redis: Redis, script: ScriptDefinition, keys: readonly string[], args: readonly ScriptArg[]): Promise<unknown> {
  return new PreparedScript(script, keys).run(redis, args);
}
