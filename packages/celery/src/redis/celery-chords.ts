import { randomUUID } from 'node:crypto';
import type { ChainableCommander, Redis } from 'ioredis';
import { type TaskRecord, TaskStates } from '@celeriac/core';
import { type ApplyResult, type StateUpdate, type TaskMessage, chordKey } from '@celeriac/core/adapter';
import { celeryCall, encodeCeleryTask } from '../protocol/message.js';
import { celeryChordOf, type CeleryChordPart } from '../protocol/embed.js';
import { parsePythonJson } from '../protocol/python-json.js';
import { toCeleryMeta } from '../protocol/result-meta.js';
import { CELERY_DEFAULT_QUEUE } from '../protocol/signatures.js';
import type { CeleryKeys } from './keys.js';
import { queueList, toEnvelope } from './kombu.js';
import type { ResolvedCeleryRedisOptions } from './options.js';
import type { Scripts } from './scripts.js';

/** Celery's states a chord fails on (`celery.states.PROPAGATE_STATES`). */
const PROPAGATE: ReadonlySet<string> = new Set([TaskStates.FAILURE, TaskStates.REVOKED]);

/**
 * Celery chords on Celery's Redis result backend, as Celery 5.2 keeps them
 * (celery/backends/redis.py): the chord's size under `celery-taskset-meta-<group>.s`, set by its
 * producer, and each finished member counted in `.j`; the member that completes it calls the
 * callback with the results in group order. So one chord's members may run on Celeriac and
 * Python workers alike, whoever sent it.
 */
export class CeleryChords {
  constructor(
    private readonly redis: Redis,
    private readonly keys: CeleryKeys,
    private readonly scripts: Scripts,
    private readonly options: ResolvedCeleryRedisOptions,
    private readonly apply: (update: StateUpdate) => Promise<ApplyResult>,
    /** Marks a `publishOnce` key done if it is free (the backend's compareAndSet). */
    private readonly claim: (key: string) => Promise<boolean>,
  ) {}

  /** Celery's `set_chord_size`, for the chords Celeriac sends in Celery's form (before their members are published). */
  setSizes(pipeline: ChainableCommander, messages: readonly TaskMessage[]): void {
    for (const message of messages) {
      const part = celeryChordOf(message);
      if (part !== null && message.chord !== undefined) pipeline.set(this.keys.chord(part.group, '.s'), String(message.chord.members.length), 'PX', this.options.resultTtl);
    }
  }

  /**
   * Counts a member a Celeriac worker finished (its terminal record just stored; `message` is its
   * delivery's), and if it completes the chord, calls the callback: with the results in group
   * order, or, if a member failed, stores the callback's FAILURE (`ChordError`) as Celery does.
   */
  async partReturn(record: TaskRecord, message: TaskMessage): Promise<void> {
    const part = celeryCall(message).chord;
    if (part === undefined) return;
    const entry = JSON.stringify([1, record.id, record.state, toCeleryMeta(record).result]);
    const keys = [this.keys.chord(part.group, '.j'), this.keys.chord(part.group, '.t'), this.keys.chord(part.group, '.s')];
    const entries = await this.scripts.run('chordPartReturn', keys, [entry, part.index ?? '+inf', this.options.resultTtl]);
    if (!Array.isArray(entries)) return;
    const members = entries.map((raw) => parsePythonJson(String(raw)) as [number, string, string, unknown]);
    // A Celeriac chord's members also report to Celeriac's own count, whose finisher publishes the
    // callback under this key (splitStore.publishOnce): whichever finishes first calls it.
    if (!(await this.claim(chordKey(part.group)))) return;
    const failed = members.find(([, , state]) => PROPAGATE.has(state));
    if (failed === undefined) await this.#callBack(part, members.map(([, , , result]) => result));
    else await this.#fail(part, `Dependency ${failed[1]} raised ${describe(failed[3])}`);
  }

  /** `callback.delay(results)`: the signature's own arguments after the results (unless immutable), its kwargs, links and queue. */
  async #callBack(part: CeleryChordPart, results: unknown[]): Promise<void> {
    const sig = part.callback;
    const options = sig.options ?? {};
    const args = sig.immutable ? sig.args : [results, ...(sig.args ?? [])];
    const queue = typeof options.queue === 'string' ? options.queue : CELERY_DEFAULT_QUEUE;
    const id = typeof options.task_id === 'string' ? options.task_id : randomUUID();
    const task = encodeCeleryTask({ id, task: sig.task, args, queue, priority: 0, attempt: 1, createdAt: Date.now() });
    delete task.headers.x_celeriac;
    task.headers.group = null;
    task.body = JSON.stringify([args, sig.kwargs ?? {}, { callbacks: options.link ?? null, errbacks: options.link_error ?? null, chain: null, chord: null }]);
    // Celery's own call gives no priority unless the signature has one: kombu's first list.
    const kombuPri = typeof options.priority === 'number' ? options.priority : 0;
    await this.redis.lpush(this.keys.list(queueList(queue, kombuPri, this.options.prioritySteps)), toEnvelope(task, queue, kombuPri));
  }

  async #fail(part: CeleryChordPart, reason: string): Promise<void> {
    const id = part.callback.options?.task_id;
    if (typeof id !== 'string') return;
    const task = part.callback.task;
    await this.apply({ id, task, state: TaskStates.PENDING, create: true });
    await this.apply({ id, task, state: TaskStates.FAILURE, error: { type: 'ChordError', message: reason, code: 'celery.exceptions.ChordError' } });
  }
}

/** A member's result as Celery's `repr` names it in a ChordError: the exception, else the value. */
function describe(result: unknown): string {
  const exc = result as { exc_type?: unknown; exc_message?: unknown } | null;
  if (typeof exc === 'object' && exc !== null && typeof exc.exc_type === 'string') return `${exc.exc_type}(${JSON.stringify(exc.exc_message ?? [])})`;
  return JSON.stringify(result);
}
