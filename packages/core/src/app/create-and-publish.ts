import type { TaskMessage } from '../contracts/message.js';
import type { ApplyResult, TaskRecord } from '../contracts/record.js';
import type { EnqueueOptions, TaskStore } from '../contracts/task-store.js';
import { TaskStates } from '../state/states.js';
import { idInUse } from './apply-options.js';
import type { EnqueueDeadline } from './enqueue-deadline.js';

interface IdAndTask {
  readonly id: string;
  readonly task: string;
}

/**
 * A bulk larger than this goes to the store in steps of this many messages, each all or nothing:
 * one atomic step over a huge bulk is slower than steps the store can pipeline, and holds the
 * store for the whole bulk.
 */
export const ENQUEUE_STEP = 1_000;

/** The PENDING records of the messages, or the first id found already in use (nothing was left behind). */
export type Created = { ok: true; records: TaskRecord[] } | { ok: false; taken: IdAndTask };

/**
 * Creates the PENDING record of every id in `later` (workflow steps published later, by a
 * follow-up), then enqueues the messages in steps of ENQUEUE_STEP (a bulk's ids are fresh, so a
 * refused step is all but impossible; a failed one leaves the steps before it enqueued). The
 * `later` records are removed if the messages could not be enqueued.
 */
export async function createAndEnqueue(store: TaskStore, messages: readonly TaskMessage[], later: readonly IdAndTask[], options: EnqueueOptions = {}): Promise<Created> {
  if (later.length > 0) {
    const early = await createRecords(store, later);
    if (!early.ok) return early;
  }
  let results: ApplyResult[];
  try {
    results = messages.length <= ENQUEUE_STEP ? await store.enqueue(messages, options) : (await buildAndEnqueueInSteps(store, messages.length, (i) => messages[i] as TaskMessage, options)).results;
  } catch (error) {
    await forget(store, later).catch(() => undefined); // the workflow did not start: leave no orphan PENDING
    throw error;
  }
  const records: TaskRecord[] = [];
  for (const result of results) if (result.applied) records.push(result.record);
  if (records.length === messages.length) return { ok: true, records };
  if (later.length > 0) await forget(store, later);
  return { ok: false, taken: messages[results.findIndex((r) => !r.applied)] as TaskMessage };
}

/**
 * `count` messages through the store in steps of ENQUEUE_STEP, each step's messages made by
 * `build(i)` just before the step goes: a store that sends a step at once works on it while the
 * next is built, instead of waiting for the whole bulk to be built. Each step is all or nothing,
 * and a failed one leaves the steps before it enqueued. Resolves with the messages and their results.
 */
export async function buildAndEnqueueInSteps(
  store: TaskStore,
  count: number,
  build: (i: number) => TaskMessage,
  options: EnqueueOptions,
  /** Where the messages go as they are built (a caller may read their ids while the steps are under way). */
  messages: TaskMessage[] = [],
): Promise<{ messages: TaskMessage[]; results: ApplyResult[] }> {
  const steps: Promise<ApplyResult[]>[] = [];
  try {
    for (let at = 0; at < count; at += ENQUEUE_STEP) {
      const step: TaskMessage[] = [];
      for (let i = at; i < Math.min(count, at + ENQUEUE_STEP); i++) step.push(build(i));
      messages.push(...step);
      steps.push(store.enqueue(step, options));
    }
  } catch (error) {
    // A message that could not be built (a custom generateId threw): the steps sent stay sent,
    // as after a failed step, and their own failures are not left unhandled.
    for (const step of steps) step.catch(() => undefined);
    throw error;
  }
  return { messages, results: (await Promise.all(steps)).flat() };
}

/** PENDING records without messages (workflow steps, and eager mode's runs), all or nothing. */
export async function createRecords(store: TaskStore, items: readonly IdAndTask[]): Promise<Created> {
  const results = await Promise.all(items.map((r) => store.apply({ id: r.id, task: r.task, state: TaskStates.PENDING, attempt: 1, create: true })));
  const taken = results.findIndex((r) => !r.applied);
  if (taken < 0) return { ok: true, records: results.map((r) => (r as { record: TaskRecord }).record) };
  await forget(store, items.filter((_, i) => results[i]?.applied));
  return { ok: false, taken: items[taken] as IdAndTask };
}

async function forget(store: TaskStore, items: readonly IdAndTask[]): Promise<void> {
  await Promise.all(items.map((r) => store.forget(r.id)));
}

/**
 * A large bulk (more than ENQUEUE_STEP calls) under the enqueue deadline: each step's messages are
 * made just before the step goes (see buildAndEnqueueInSteps). Throws if an id is in use.
 */
export async function enqueueInSteps(store: TaskStore, deadline: EnqueueDeadline, name: string, count: number, build: (i: number) => TaskMessage, freshIds: boolean): Promise<{ messages: TaskMessage[]; records: TaskRecord[] }> {
  const built: TaskMessage[] = [];
  const steps = buildAndEnqueueInSteps(store, count, build, { freshIds }, built);
  const { results } = await deadline.guard(steps, name, () => built.map((m) => m.id));
  const records = results.map((result, i) => {
    if (!result.applied) throw idInUse(name, (built[i] as TaskMessage).id);
    return result.record;
  });
  return { messages: built, records };
}
