import { createHash } from 'node:crypto';
import { Command, type Redis } from 'ioredis';
import type { ScriptDefinition } from './scripts.generated.js';

export type ScriptArg = string | number;

/** One element of a RESP request: its length in bytes, then itself. */
function bulk(arg: ScriptArg): string {
  const text = typeof arg === 'string' ? arg : String(arg);
  return `$${Buffer.byteLength(text)}\r\n${text}\r\n`;
}

/** Each script's EVALSHA head (the command and the SHA, encoded), computed once. */
const evalshaHeads = new Map<ScriptDefinition, string>();

function evalshaHead(script: ScriptDefinition): string {
  let head = evalshaHeads.get(script);
  if (head === undefined) {
    head = bulk('evalsha') + bulk(createHash('sha1').update(script.lua).digest('hex'));
    evalshaHeads.set(script, head);
  }
  return head;
}

/**
 * A script call as ioredis writes it, from a head prepared in RESP (the command, the SHA or the
 * source, the keys and any constant leading arguments) and the call's own arguments. It replaces
 * ioredis's `Script` command, which copies and flattens the arguments, wraps the promise twice and
 * encodes every key and constant again on each call: most of a lone call's client-side cost.
 * `args` stays empty: nothing reads it for a script call outside Cluster and `keyPrefix`, which
 * this package does not use; `script` says which script it runs.
 */
export class ScriptCommand extends Command {
  readonly script: ScriptDefinition;
  readonly #head: string;
  readonly #count: number;
  readonly #own: readonly ScriptArg[];

  constructor(script: ScriptDefinition, name: 'evalsha' | 'eval', head: string, count: number, own: readonly ScriptArg[]) {
    super(name, [], { replyEncoding: 'utf8' });
    this.script = script;
    this.#head = head;
    this.#count = count;
    this.#own = own;
  }

  override toWritable(): string {
    let request = `*${this.#count}\r\n${this.#head}`;
    for (const arg of this.#own) request += bulk(arg);
    return request;
  }
}

function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT');
}

/**
 * A Lua script bound to its keys and constant leading arguments, encoded once. Sent with EVALSHA;
 * after a Redis restart or `SCRIPT FLUSH` emptied the server's script cache, the NOSCRIPT reply
 * is answered by sending the same call with EVAL, which caches the script again. A script whose
 * last `callKeys` KEYS differ per call (a call's replay key) is bound to the others, and gets
 * those with each call.
 */
export class PreparedScript {
  readonly #script: ScriptDefinition;
  /** The number of keys and the keys bound, encoded. */
  readonly #boundKeys: string;
  /** The leading arguments, encoded. */
  readonly #leading: string;
  readonly #callKeys: number;
  /** EVALSHA with everything bound (no call keys), or up to the bound keys. */
  readonly #evalshaHead: string;
  /** Made on the first NOSCRIPT only: it carries the whole source. */
  #evalHead: string | undefined;
  /** Elements of the request before the call's own arguments. */
  readonly #fixed: number;

  constructor(script: ScriptDefinition, keys: readonly string[], leading: readonly ScriptArg[] = [], callKeys = 0) {
    if (keys.length + callKeys !== script.numberOfKeys) throw new Error(`Lua script ${script.name} takes ${script.numberOfKeys} keys, got ${keys.length + callKeys}`);
    this.#script = script;
    this.#boundKeys = bulk(keys.length + callKeys) + keys.map(bulk).join('');
    this.#leading = leading.map(bulk).join('');
    this.#callKeys = callKeys;
    this.#evalshaHead = evalshaHead(script) + this.#boundKeys + (callKeys === 0 ? this.#leading : '');
    this.#fixed = 3 + keys.length + callKeys + leading.length;
  }

  /** Runs the script with `args` after the leading ones, and `callKeys` after the bound keys. */
  run(redis: Redis, args: readonly ScriptArg[], callKeys: readonly string[] = []): Promise<unknown> {
    if (callKeys.length !== this.#callKeys) throw new Error(`Lua script ${this.#script.name} takes ${this.#callKeys} keys per call, got ${callKeys.length}`);
    const count = this.#fixed + args.length;
    const perCall = callKeys.length === 0 ? '' : callKeys.map(bulk).join('') + this.#leading;
    const call = new ScriptCommand(this.#script, 'evalsha', this.#evalshaHead + perCall, count, args);
    void redis.sendCommand(call);
    return call.promise.catch((error: unknown) => {
      if (!isNoScript(error)) throw error;
      this.#evalHead ??= bulk('eval') + bulk(this.#script.lua) + this.#boundKeys + (this.#callKeys === 0 ? this.#leading : '');
      const again = new ScriptCommand(this.#script, 'eval', this.#evalHead + perCall, count, args);
      void redis.sendCommand(again);
      return again.promise;
    });
  }
}
