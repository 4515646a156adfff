import type { Broker, CombinedStore, EnqueueOptions } from '../contracts/broker.js';
import type { TaskMessage } from '../contracts/message.js';
import type { ApplyResult, TaskRecord } from '../contracts/record.js';
import type { ResultBackend } from '../contracts/result-backend.js';
import { TaskStates } from '../state/states.js';

/** Where an app enqueues: its stores, and their combined fast path when the broker offers one. */
export interface EnqueueTarget {
  readonly broker: Broker;
  readonly backend: ResultBackend;
  readonly combined: CombinedStore | undefined;
}

interface IdAndTask {
  readonly id: string;
  readonly task: string;
}

/**
 * A bulk larger than this goes to the combined store in steps of this many messages, each all or
 * nothing: one atomic step over a huge bulk (measured: 20,000 messages in one Redis script) is
 * slower than steps the store can pipeline, and holds Redis for the whole bulk.
 */
export const COMBINED_ENQUEUE_STEP = 1_000;

/** The PENDING records of the messages, or the first id found already in use (nothing was left behind). */
export type Created = { ok: true; records: TaskRecord[] } | { ok: false; taken: IdAndTask };

/**
 * Creates the PENDING record of every message and of every id in `later` (workflow steps published
 * later, by a follow-up), then publishes the messages unless `publish` is false (eager mode): all or
 * nothing. Through the combined store when there is one: one atomic step per COMBINED_ENQUEUE_STEP
 * messages (a bulk's ids are fresh, so a refused step is all but impossible; a failed one leaves
 * the steps before it enqueued). Otherwise apply, then publish, removing what was created if an id
 * is taken or the publish fails.
 */
export async function createAndPublish(target: EnqueueTarget, messages: readonly TaskMessage[], later: readonly IdAndTask[], publish: boolean, options: EnqueueOptions = {}): Promise<Created> {
  const { broker, backend, combined } = target;
  if (publish && combined !== undefined) {
    if (later.length > 0) {
      const early = await createRecords(backend, later);
      if (!early.ok) return early;
    }
    let results: ApplyResult[];
    try {
      results = messages.length <= COMBINED_ENQUEUE_STEP ? await combined.enqueue(messages, options) : await enqueueInSteps(combined, messages, options);
    } catch (error) {
      await forget(backend, later).catch(() => undefined); // the workflow did not start: leave no orphan PENDING
      throw error;
    }
    const records: TaskRecord[] = [];
    for (const result of results) if (result.applied) records.push(result.record);
    if (records.length === messages.length) return { ok: true, records };
    if (later.length > 0) await forget(backend, later);
    return { ok: false, taken: messages[results.findIndex((r) => !r.applied)] as TaskMessage };
  }
  const created = await createRecords(backend, [...messages, ...later]);
  if (!created.ok) return created;
  if (publish) {
    try {
      await broker.publish(messages);
    } catch (error) {
      await forget(backend, [...messages, ...later]).catch(() => undefined); // nothing was enqueued: leave no orphan PENDING
      throw error;
    }
  }
  return { ok: true, records: created.records.slice(0, messages.length) };
}

async function enqueueInSteps(combined: CombinedStore, messages: readonly TaskMessage[], options: EnqueueOptions): Promise<ApplyResult[]> {
  return (await buildAndEnqueueInSteps(combined, messages.length, (i) => messages[i] as TaskMessage, options)).results;
}

/**
 * `count` messages through the combined store in steps of COMBINED_ENQUEUE_STEP, each step's
 * messages made by `build(i)` just before the step goes: a store that sends a step at once (Redis)
 * works on it while the next is built, instead of waiting for the whole bulk to be built (measured:
 * 20,000 messages took about 13 ms before the first step left). Each step is all or nothing, and a
 * failed one leaves the steps before it enqueued. Resolves with the messages and their results.
 */
export async function buildAndEnqueueInSteps(combined: CombinedStore, count: number, build: (i: number) => TaskMessage, options: EnqueueOptions): Promise<{ messages: TaskMessage[]; results: ApplyResult[] }> {
  const messages: TaskMessage[] = [];
  const steps: Promise<ApplyResult[]>[] = [];
  try {
    for (let at = 0; at < count; at += COMBINED_ENQUEUE_STEP) {
      const step: TaskMessage[] = [];
      for (let i = at; i < Math.min(count, at + COMBINED_ENQUEUE_STEP); i++) step.push(build(i));
      messages.push(...step);
      steps.push(combined.enqueue(step, options));
    }
  } catch (error) {
    // A message that could not be built (a custom generateId threw): the steps sent stay sent,
    // as after a failed step, and their own failures are not left unhandled.
    for (const step of steps) step.catch(() => undefined);
    throw error;
  }
  return { messages, results: (await Promise.all(steps)).flat() };
}

async function createRecords(backend: ResultBackend, items: readonly IdAndTask[]): Promise<Created> {
  const results = await Promise.all(items.map((r) => backend.apply({ id: r.id, task: r.task, state: TaskStates.PENDING, attempt: 1, create: true })));
  const taken = results.findIndex((r) => !r.applied);
  if (taken < 0) return { ok: true, records: results.map((r) => (r as { record: TaskRecord }).record) };
  await forget(backend, items.filter((_, i) => results[i]?.applied));
  return { ok: false, taken: items[taken] as IdAndTask };
}

async function forget(backend: ResultBackend, items: readonly IdAndTask[]): Promise<void> {
  await Promise.all(items.map((r) => backend.forget(r.id)));
}
