import type { TaskMessage } from '../contracts/message.js';
import type { TaskStore } from '../contracts/task-store.js';
import { TaskStates } from '../state/states.js';

/**
 * Starts workflow steps. Each step's record is made PENDING first; a step whose record already
 * exists is started only if it is still PENDING (created up front by its workflow), so follow-ups
 * that run again after a redelivery do not restart a step that has already run.
 */
export function createDispatcher(store: TaskStore, start: (messages: TaskMessage[]) => Promise<void>) {
  return async (messages: TaskMessage[]): Promise<void> => {
    const outcomes = await Promise.all(messages.map((m) => store.apply({ id: m.id, task: m.task, state: TaskStates.PENDING, attempt: 1, create: true })));
    const ready = messages.filter((_, i) => {
      const outcome = outcomes[i];
      return outcome !== undefined && (outcome.applied || outcome.current?.state === TaskStates.PENDING);
    });
    if (ready.length > 0) await start(ready);
  };
}
