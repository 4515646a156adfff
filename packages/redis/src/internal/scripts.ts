import type { RedisClient } from './connection.js';
import { PreparedScript, type ScriptArg } from './script-command.js';
import { SCRIPTS, type ScriptDefinition } from './scripts.generated.js';

export { PreparedScript, SCRIPTS, type ScriptArg };

/**
 * Runs a script once. `keys` must have exactly the script's number of KEYS. A script called often
 * with the same keys is better bound once as a {@link PreparedScript}.
 */
export function runScript(redis: RedisClient, script: ScriptDefinition, keys: readonly string[], args: readonly ScriptArg[]): Promise<unknown> {
  return new PreparedScript(script, keys).run(redis, args);
}
