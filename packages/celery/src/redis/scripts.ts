import type { Redis } from 'ioredis';
import { SCRIPTS, type ScriptName } from './scripts.generated.js';

/**
 * Runs a script by SHA, loading it on a NOSCRIPT reply (a restarted or flushed server), so the
 * source crosses the wire once per server, not per call.
 */
export class Scripts {
  readonly #shas = new Map<ScriptName, string>();

  constructor(private readonly redis: Redis) {}

  async run(name: ScriptName, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    let sha = this.#shas.get(name);
    if (sha === undefined) {
      sha = (await this.redis.script('LOAD', SCRIPTS[name])) as string;
      this.#shas.set(name, sha);
    }
    try {
      return await this.redis.evalsha(sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!String((error as Error).message).includes('NOSCRIPT')) throw error;
      this.#shas.delete(name);
      return this.run(name, keys, args);
    }
  }
}
