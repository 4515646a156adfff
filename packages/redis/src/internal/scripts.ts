import type { Redis } from 'ioredis';
import { SCRIPTS, type ScriptDefinition } from './scripts.generated.js';

export { SCRIPTS };
export type ScriptArg = string | number;

type ScriptCommand = (args: ScriptArg[]) => Promise<unknown>;

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

/** Runs a script. `keys` must have exactly the script's number of KEYS. */
export function runScript(redis: Redis, script: ScriptDefinition, keys: readonly string[], args: readonly ScriptArg[]): Promise<unknown> {
  const command = (redis as unknown as Record<string, ScriptCommand>)[script.name];
  if (command === undefined) throw new Error(`Lua script ${script.name} is not defined on this client`);
  // ioredis flattens one level of array arguments: no spread, so long argument lists are fine.
  return command.call(redis, [...keys, ...args]);
}
