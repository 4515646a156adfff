import { createHash } from 'node:crypto';
import { Command } from 'ioredis';
import { type RedisClient, isCluster } from './connection.js';
import { shardedScript } from './sharded-scripts.js';
import type { ScriptDefinition } from './scripts.generated.js';
import { slotOf } from './slot.js';

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
 * `args` stays empty: nothing reads it but a Cluster, for the slot to send the call to, which
 * {@link getSlot} answers (`slot`, that of its keys), and `keyPrefix`, which this package does
 * not use; `script` says which script it runs (as written, whichever form runs: see
 * sharded-scripts.ts).
 */
export class ScriptCommand extends Command {
  readonly script: ScriptDefinition;
  readonly #head: string;
  readonly #count: number;
  readonly #own: readonly ScriptArg[];
  readonly #slot: number | undefined;

  constructor(script: ScriptDefinition, name: 'evalsha' | 'eval', head: string, count: number, own: readonly ScriptArg[], slot?: number) {
    super(name, [], { replyEncoding: 'utf8' });
    this.script = script;
    this.#head = head;
    this.#count = count;
    this.#own = own;
    this.#slot = slot;
  }

  /** Asked by a Cluster only: the slot of the script's keys (every key of a deployment shares one). */
  override getSlot(): number {
    return this.#slot ?? super.getSlot();
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

/** A script's requests as sent to one kind of server, encoded once. */
interface ScriptHeads {
  /** The source these requests run: the script as written, or its Redis Cluster form. */
  readonly source: ScriptDefinition;
  /** EVALSHA with everything bound (no call keys), or up to the bound keys. */
  readonly evalsha: string;
  /** Made on the first NOSCRIPT only: it carries the whole source. */
  eval: string | undefined;
}

/**
 * A Lua script bound to its keys and constant leading arguments, encoded once. Sent with EVALSHA;
 * after a Redis restart or `SCRIPT FLUSH` emptied the server's script cache, the NOSCRIPT reply
 * is answered by sending the same call with EVAL, which caches the script again. A script whose
 * last `callKeys` KEYS differ per call (a call's replay key) is bound to the others, and gets
 * those with each call. On a Redis Cluster it runs in its cluster form (see sharded-scripts.ts),
 * sent to the node serving its keys' slot.
 */
export class PreparedScript {
  readonly #script: ScriptDefinition;
  /** The number of keys and the keys bound, encoded. */
  readonly #boundKeys: string;
  /** The leading arguments, encoded. */
  readonly #leading: string;
  readonly #callKeys: number;
  readonly #plain: ScriptHeads;
  /** Made on the first call to a Cluster. */
  #sharded: ScriptHeads | undefined;
  /** The first bound key, which names the slot of all of them (undefined: the first call key does). */
  readonly #slotKey: string | undefined;
  /** Its slot, computed on the first call to a Cluster. */
  #slot: number | undefined;
  /** Elements of the request before the call's own arguments. */
  readonly #fixed: number;

  constructor(script: ScriptDefinition, keys: readonly string[], leading: readonly ScriptArg[] = [], callKeys = 0) {
    if (keys.length + callKeys !== script.numberOfKeys) throw new Error(`Lua script ${script.name} takes ${script.numberOfKeys} keys, got ${keys.length + callKeys}`);
    this.#script = script;
    this.#boundKeys = bulk(keys.length + callKeys) + keys.map(bulk).join('');
    this.#leading = leading.map(bulk).join('');
    this.#callKeys = callKeys;
    this.#slotKey = keys[0];
    this.#plain = this.#heads(script);
    this.#fixed = 3 + keys.length + callKeys + leading.length;
  }

  /**
   * Runs the script with `args` after the leading ones, and `callKeys` after the bound keys.
   * `afterResend` is called once a call refused with NOSCRIPT has run as EVAL: commands sent after
   * the first try ran before it (see the publishing callers' local wake-ups).
   */
  run(redis: RedisClient, args: readonly ScriptArg[], callKeys: readonly string[] = [], afterResend?: () => void): Promise<unknown> {
    if (callKeys.length !== this.#callKeys) throw new Error(`Lua script ${this.#script.name} takes ${this.#callKeys} keys per call, got ${callKeys.length}`);
    const cluster = isCluster(redis);
    const heads = cluster ? (this.#sharded ??= this.#heads(shardedScript(this.#script))) : this.#plain;
    const slot = cluster ? this.#slotOf(callKeys) : undefined;
    const count = this.#fixed + args.length;
    const perCall = callKeys.length === 0 ? '' : callKeys.map(bulk).join('') + this.#leading;
    const call = new ScriptCommand(this.#script, 'evalsha', heads.evalsha + perCall, count, args, slot);
    void redis.sendCommand(call);
    return call.promise.catch((error: unknown) => {
      if (!isNoScript(error)) throw error;
      heads.eval ??= bulk('eval') + bulk(heads.source.lua) + this.#boundKeys + (this.#callKeys === 0 ? this.#leading : '');
      const again = new ScriptCommand(this.#script, 'eval', heads.eval + perCall, count, args, slot);
      void redis.sendCommand(again);
      if (afterResend === undefined) return again.promise;
      return again.promise.then((reply) => {
        afterResend();
        return reply;
      });
    });
  }

  #slotOf(callKeys: readonly string[]): number | undefined {
    if (this.#slotKey === undefined) return callKeys[0] === undefined ? undefined : slotOf(callKeys[0]);
    return (this.#slot ??= slotOf(this.#slotKey));
  }

  #heads(source: ScriptDefinition): ScriptHeads {
    return { source, evalsha: evalshaHead(source) + this.#boundKeys + (this.#callKeys === 0 ? this.#leading : ''), eval: undefined };
  }
}
