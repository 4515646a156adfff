import type { TaskStore } from '../contracts/task-store.js';
import { TaskStates, isTerminal } from '../state/states.js';
import { endRevokedWorkflow } from '../canvas/dispatch.js';

/** What `app.revoke` found. */
export type RevokeOutcome = 'revoked' | 'finished' | 'unknown';

/** `app.revoke(id)`: the task never starts if waiting or delayed; a running one is told to abort. */
export async function revokeTask(store: TaskStore, id: string): Promise<RevokeOutcome> {
  // Only ids that exist and are unfinished reach the store's revoked set, so made-up ids
  // (e.g. from an HTTP client) cannot grow it.
  const current = await store.get(id);
  if (current === null) return 'unknown';
  if (isTerminal(current.state)) return 'finished';
  // The record first: a store may read a waiting task's PENDING from its message, which the
  // revoke removes, and a store keeps a message that carries a workflow only once its record
  // refuses STARTED. A crash in between leaves a REVOKED record over a waiting message: the worker
  // that takes it refuses to start it and ends its workflow.
  const outcome = await store.apply({ id, state: TaskStates.REVOKED, meta: { reason: 'revoked' } });
  if (!outcome.applied) return outcome.current === null ? 'unknown' : 'finished';
  // Ended here at once. The store kept the message if it carries a workflow, so a crash before or
  // during this leaves it to the worker that takes the message (the steps are idempotent).
  await endRevokedWorkflow(store, await store.revoke(id), outcome.record);
  return 'revoked';
}
