import { type TaskMessage, carriesWorkflow } from '../contracts/message.js';
import type { TaskRecord } from '../contracts/record.js';
import type { TaskStore } from '../contracts/task-store.js';
import type { TaskTracing } from '../contracts/tracing.js';
import { sendTraced } from '../tracing/send-spans.js';
import { TaskStates } from '../state/states.js';
import { type FollowUpEnv, runFollowUps } from './follow-ups.js';

/**
 * Starts workflow steps. Each step's record is made PENDING first; a step whose record already
 * exists is started only if it is still PENDING (created up front by its workflow), so follow-ups
 * that run again after a redelivery do not restart a step that has already run.
 *
 * A step found REVOKED was revoked while it waited for its turn, with no message to remove: its
 * workflow is ended here, as if it had run (the rest of its chain fails, its chord hears of it),
 * instead of waiting forever for a step that will never run.
 */
export function createDispatcher(
  store: TaskStore,
  start: (messages: TaskMessage[]) => Promise<void>,
  startOnce: (key: string, messages: TaskMessage[]) => Promise<boolean>,
): FollowUpEnv {
  const env: FollowUpEnv = {
    store,
    dispatchOnce: startOnce,
    dispatch: async (messages, onceKey) => {
      const outcomes = await Promise.all(messages.map((m) => store.apply({ id: m.id, task: m.task, state: TaskStates.PENDING, attempt: 1, create: true })));
      const ready: TaskMessage[] = [];
      const revoked: [TaskMessage, TaskRecord][] = [];
      messages.forEach((m, i) => {
        const outcome = outcomes[i];
        if (outcome === undefined) return;
        if (outcome.applied || outcome.current?.state === TaskStates.PENDING) ready.push(m);
        else if (outcome.current?.state === TaskStates.REVOKED) revoked.push([m, outcome.current]);
      });
      if (ready.length > 0) await (onceKey === undefined ? start(ready) : startOnce(onceKey, ready));
      for (const [message, record] of revoked) await runFollowUps(env, message, record);
    },
  };
  return env;
}

/**
 * The store's own way of starting steps: publish them (a worker, or a producer ending a workflow),
 * each in a send span when the app traces (`tracing`).
 */
export function storeDispatcher(store: TaskStore, tracing?: TaskTracing): FollowUpEnv {
  return createDispatcher(
    store,
    (messages) => sendTraced(tracing, messages, () => store.publish(messages)),
    (key, messages) => sendTraced(tracing, messages, () => store.publishOnce(key, messages)),
  );
}

/**
 * Ends the workflow a revoked or purged waiting message carried: the rest of its chain fails, its
 * error callbacks run, its chord hears of it. A message with no workflow has nothing to end. The
 * store keeps such a message in its queue, so a worker that takes it ends the workflow too (after a
 * crash of this caller): every step is idempotent (failed links stay failed, a chord member is
 * counted once, the callback and the error callbacks are published once).
 */
export async function endRevokedWorkflow(store: TaskStore, message: TaskMessage | null, record: TaskRecord): Promise<void> {
  if (message === null || !carriesWorkflow(message)) return;
  await runFollowUps(storeDispatcher(store), message, record);
}
