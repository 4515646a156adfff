import type { TaskMessage } from '../contracts/message.js';
import type { TaskStore } from '../contracts/task-store.js';
import type { Logger } from '../context/logger.js';
import { createDispatcher } from '../canvas/dispatch.js';
import { TaskStates } from '../state/states.js';
import { type RunReport, executeTask, runUpdate } from '../worker/execute-task.js';
import { LazyAbort } from '../worker/lazy-abort.js';
import type { TaskRegistry } from './registry.js';
import { createRecords } from './create-and-publish.js';

/** What eager mode runs with: the app's store, registry and logger. */
export interface EagerEnv {
  readonly store: TaskStore;
  readonly registry: TaskRegistry;
  readonly logger: Logger;
}

/**
 * Eager mode (`new Celeriac({ eager: true })`, for app tests): creates the PENDING records of the
 * messages and of `later` workflow steps, all or nothing, then runs each message in this process,
 * with its retries (at once) and its workflow follow-ups. Nothing is published. Resolves with the
 * first id found in use, if any (then nothing ran).
 */
export async function enqueueEagerly(env: EagerEnv, messages: readonly TaskMessage[], later: readonly { id: string; task: string }[]): Promise<{ id: string; task: string } | undefined> {
  const created = await createRecords(env.store, [...messages, ...later]);
  if (!created.ok) return created.taken;
  for (const message of messages) await runHere(env, message);
  return undefined;
}

async function runHere(env: EagerEnv, first: TaskMessage): Promise<void> {
  const runAll = async (messages: TaskMessage[]) => {
    for (const next of messages) await runHere(env, next);
  };
  // Eager mode has no deliveries to lose: a dead letter is just its FAILURE record.
  const follow = createDispatcher(env.store, runAll, async (key, messages) => {
    if (!(await env.store.compareAndSet(key, null, '1'))) return false;
    await runAll(messages);
    return true;
  });
  let message: TaskMessage | undefined = first;
  while (message !== undefined) {
    let retry: TaskMessage | undefined;
    const run: RunReport = {
      started: await env.store.apply(runUpdate(message, TaskStates.STARTED)),
      apply: (update) => env.store.apply(update),
      settle: async (update, next) => {
        const stored = await env.store.apply(update);
        if (stored.applied) retry = next;
        return stored;
      },
      ack: async () => undefined,
      deadLetter: async () => undefined,
    };
    await executeTask({ ...env, ...follow, deadLetterFailures: false }, message, new LazyAbort(), run);
    message = retry;
  }
}
