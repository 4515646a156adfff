import { type ChainStep, type ChordLink, type GroupStep, type TaskMessage, type TaskStep, flattenSteps, isGroupStep } from '../contracts/message.js';
import type { SerializedError, TaskRecord } from '../contracts/record.js';
import type { TaskStore } from '../contracts/task-store.js';
import { TaskStates } from '../state/states.js';

/** What an error callback gets as its first argument. */
export interface WorkflowFailure {
  /** The task that failed. */
  taskId: string;
  /** Its error, without the stack. */
  error: Omit<SerializedError, 'stack'>;
}

/** What follow-ups need: the store, and a way to start messages (publish, or run inline when eager). */
export interface FollowUpEnv {
  readonly store: TaskStore;
  /**
   * Starts steps, creating the PENDING record of any that has none; with `onceKey`, once per key
   * across every process and re-run (`dispatchOnce`), for steps created on the way (error callbacks).
   */
  dispatch(messages: TaskMessage[], onceKey?: string): Promise<void>;
  /**
   * Starts messages whose records exist, once per `key` across every process and redelivery
   * (`TaskStore.publishOnce`); resolves false if they were started already.
   */
  dispatchOnce(key: string, messages: TaskMessage[]): Promise<boolean>;
}

/** A step as a message of its own, carrying the rest of the workflow. */
export function stepMessage(step: TaskStep, input: unknown, rest: Pick<TaskMessage, 'chain' | 'errbacks' | 'chord'>): TaskMessage {
  const message: TaskMessage = {
    id: step.id,
    task: step.task,
    args: step.passResult ? [input, ...step.args] : step.args,
    queue: step.queue,
    priority: step.priority,
    attempt: 1,
    createdAt: Date.now(),
  };
  if (rest.chain !== undefined && rest.chain.length > 0) message.chain = rest.chain;
  if (rest.errbacks !== undefined && rest.errbacks.length > 0) message.errbacks = rest.errbacks;
  if (rest.chord !== undefined) message.chord = rest.chord;
  return message;
}

/**
 * The first messages of chain links starting at `steps[0]` with `input`: one message for a task,
 * or, for a group, the first step of each member, all reporting to a chord whose callback is the
 * link after the group and which carries the links after that.
 */
export function linkMessages(steps: readonly ChainStep[], input: unknown, rest: Pick<TaskMessage, 'errbacks' | 'chord'>): TaskMessage[] {
  const [next, ...after] = steps;
  if (next === undefined) return [];
  if (!isGroupStep(next)) return [stepMessage(next, input, { chain: after, ...rest })];
  const [callback, ...later] = after;
  if (callback === undefined || isGroupStep(callback)) throw new TypeError('a group in a chain must be followed by a task: .then(task.partial())');
  const link: ChordLink = { groupId: next.group, members: next.members.map((m) => (m[m.length - 1] as TaskStep).id), callback };
  if (later.length > 0) link.chain = later;
  if (rest.errbacks !== undefined && rest.errbacks.length > 0) link.errbacks = rest.errbacks;
  // A chord around the group (this chain inside another chord) is carried on by the callback's chain end: not supported.
  return groupMessages(next, input, link);
}

/** The first message of each member of a group step, reporting to `link`. */
export function groupMessages(group: GroupStep, input: unknown, link: ChordLink | undefined): TaskMessage[] {
  return group.members.map((steps) => {
    const [head, ...tail] = steps as [TaskStep, ...TaskStep[]];
    return { ...stepMessage(head, input, { chain: tail, ...(link === undefined ? {} : { chord: link }) }), groupId: group.group };
  });
}

/**
 * What happens after a task of a workflow reaches a terminal state (already stored):
 * - success: the next chain link starts with the result as its first argument (a group link
 *   starts all its members);
 * - failure (or revoke): the rest of the chain fails without running, and error callbacks run
 *   with a {@link WorkflowFailure} as their first argument;
 * - chord member: the group's completion is counted in the store; once every member is counted,
 *   the finisher (and any later report of a member: a redelivery after the finisher died) starts
 *   the callback with all results through `dispatchOnce`, which publishes and marks it in one
 *   step, so it runs exactly once; or fails it, and the chain after it, if a member did not succeed.
 * Every step's id and PENDING record exist from the start, so re-running follow-ups after a
 * redelivery only publishes messages whose records refuse a second run.
 */
export async function runFollowUps(env: FollowUpEnv, message: TaskMessage, record: TaskRecord): Promise<void> {
  const succeeded = record.state === TaskStates.SUCCESS;
  const chain = message.chain ?? [];
  if (succeeded && chain.length > 0) {
    await env.dispatch(linkMessages(chain, record.result, { ...pick(message, 'errbacks'), ...pick(message, 'chord') }));
    return; // a chain inside a chord reports to the chord from its last link
  }
  if (!succeeded) {
    const error = record.error ?? { type: 'TaskRevokedError', message: `Task ${message.id} was ${record.state.toLowerCase()}` };
    await failSteps(env.store, flattenSteps(chain), `step ${message.task} (${message.id}) failed: ${error.type}: ${error.message}`, 'ChainFailedError');
    await runErrbacks(env, message.errbacks ?? [], message.id, error);
  }
  if (message.chord !== undefined) await reportToChord(env, message.chord, record);
}

async function reportToChord(env: FollowUpEnv, chord: ChordLink, record: TaskRecord): Promise<void> {
  const complete = await env.store.completeGroupMember(chord.groupId, record.id, chord.members.length);
  if (!complete) return;
  const records = await Promise.all(chord.members.map((id) => env.store.get(id)));
  const failed = records.find((r) => r?.state !== TaskStates.SUCCESS);
  if (failed === undefined) {
    const callback = stepMessage(chord.callback, records.map((r) => r?.result ?? null), { ...pick(chord, 'chain'), ...pick(chord, 'errbacks') });
    await env.dispatchOnce(chordKey(chord.groupId), [callback]);
    return;
  }
  const why = failed?.error ? `${failed.error.type}: ${failed.error.message}` : `${failed?.state ?? 'missing'}`;
  const message = `chord member ${failed?.id ?? '?'} did not succeed: ${why}`;
  await failSteps(env.store, [chord.callback, ...flattenSteps(chord.chain ?? [])], message, 'ChordFailedError');
  if (chord.errbacks !== undefined) await runErrbacks(env, chord.errbacks, failed?.id ?? chord.callback.id, { type: 'ChordFailedError', message });
}

async function failSteps(store: TaskStore, steps: TaskStep[], message: string, type: string): Promise<void> {
  await Promise.all(steps.map((step) => store.apply({ id: step.id, state: TaskStates.FAILURE, error: { type, message, code: 'WORKFLOW_FAILED' } })));
}

async function runErrbacks(env: FollowUpEnv, errbacks: TaskStep[], taskId: string, error: SerializedError): Promise<void> {
  if (errbacks.length === 0) return;
  const { stack: _stack, ...brief } = error;
  const failure: WorkflowFailure = { taskId, error: brief };
  // Follow-ups that run again publish again a step still PENDING. Those of a revoke always run
  // twice (in the revoking process, then in the worker that takes the kept message), and a failed
  // chord's run with every later report of a member: error callbacks go once per key.
  // Celeriac's own error callbacks all take the failure; one without `passResult` has its
  // arguments set already (a Celery `link_error`, which gets the failed task's id, see @celeriac/celery).
  await env.dispatch(errbacks.map((step) => stepMessage(step, failure, {})), `errbacks:${(errbacks[0] as TaskStep).id}`);
}

function pick<T extends object, K extends keyof T>(source: T, key: K): Pick<T, K> {
  return (source[key] === undefined ? {} : { [key]: source[key] }) as Pick<T, K>;
}

/** The `publishOnce` key of a chord's callback. */
export function chordKey(groupId: string): string {
  return `chord:${groupId}`;
}
