import { type ApplyResult, type CombinedStore, type Delivery, type ReserveRequest, type StartedDelivery, type TaskMessage, TaskStates } from '@celeriac/core';
import type { MemoryBackend } from '../memory-backend.js';

/** The broker's synchronous internals the combined store needs. */
export interface BrokerSide {
  publish(messages: readonly TaskMessage[]): void;
  ack(delivery: Delivery): void;
  requeue(delivery: Delivery, next: TaskMessage): void;
  reserve(request: ReserveRequest): Promise<Delivery[]>;
}

/**
 * `CombinedStore` for a memory broker and backend: each step runs with no await inside, so it is
 * atomic in this process, and it saves the promises of the separate calls on every task.
 */
export function combinedStore(backend: MemoryBackend, broker: BrokerSide): CombinedStore {
  return {
    async enqueue(messages) {
      const create = (m: TaskMessage) => backend.applyNow({ id: m.id, task: m.task, state: TaskStates.PENDING, attempt: 1, create: true });
      if (messages.length === 1) {
        // One message: the creation itself is the check, and a refusal leaves nothing to undo.
        const result = create(messages[0] as TaskMessage);
        if (result.applied) broker.publish(messages);
        return [result];
      }
      if (isAnyTaken(backend, messages)) return messages.map((m): ApplyResult => ({ applied: false, current: backend.getNow(m.id) }));
      const results = messages.map(create);
      broker.publish(messages);
      return results;
    },
    async settle(delivery, update, next) {
      const stored = backend.applyNow(update);
      if (next !== undefined && stored.applied) broker.requeue(delivery, next);
      else broker.ack(delivery);
      return stored;
    },
    async reserveStarted(request) {
      // Marked as the reserve returns. A revoke in between stored REVOKED, and the state machine refuses STARTED.
      return (await broker.reserve(request)).map((delivery): StartedDelivery => {
        const { message, deliveries, receipt } = delivery;
        // A message without a record (expired, forgotten, or never written) is a task waiting: PENDING first.
        if (backend.getNow(message.id) === null) backend.applyNow({ id: message.id, task: message.task, attempt: message.attempt, state: TaskStates.PENDING, create: true });
        return { message, deliveries, receipt, started: backend.applyNow({ id: message.id, task: message.task, attempt: message.attempt, state: TaskStates.STARTED }) };
      });
    },
  };
}

/** Whether any id has a record already, or appears twice. */
function isAnyTaken(backend: MemoryBackend, messages: readonly TaskMessage[]): boolean {
  const ids = new Set<string>();
  for (const { id } of messages) {
    if (ids.has(id) || backend.getNow(id) !== null) return true;
    ids.add(id);
  }
  return false;
}
