import { type QueueInfo, type TaskMessage, carriesWorkflow } from '@celeriac/core/adapter';
import type { DelayedMessages } from './delayed-messages.js';
import type { QueuedMessage, ReadyQueue } from './ready-queue.js';

/** The broker's queues as `queues()` reports them (see MemoryBroker). */
export function queueInfos(
  queues: ReadonlyMap<string, ReadyQueue>,
  delayed: DelayedMessages,
  running: Iterable<{ readonly queue: string }>,
  paused: ReadonlySet<string>,
): QueueInfo[] {
  const names = new Set([...queues.keys(), ...paused, ...delayed.queues()]);
  const leased = new Map<string, number>();
  for (const { queue } of running) leased.set(queue, (leased.get(queue) ?? 0) + 1);
  for (const name of leased.keys()) names.add(name);
  return [...names].sort().map((name) => {
    const oldest = queues.get(name)?.oldest();
    return {
      name,
      waiting: queues.get(name)?.size ?? 0,
      delayed: delayed.count(name),
      running: leased.get(name) ?? 0,
      oldestWaitingAt: oldest?.message?.createdAt ?? null,
      paused: paused.has(name),
    };
  });
}

/** Removes up to `max` waiting, then delayed, messages of a queue; returns the messages among them (not raw inbox strings). */
export function purgeMessages(queue: ReadyQueue | undefined, delayed: DelayedMessages, name: string, max: number): TaskMessage[] {
  const removed: QueuedMessage[] = queue?.drain(max) ?? [];
  if (removed.length < max) removed.push(...delayed.drain(name, max - removed.length));
  return removed.flatMap((entry) => (entry.message === undefined ? [] : [entry.message]));
}

/**
 * The waiting or delayed copies of a revoked id, removed; with `keepWorkflow`, one that carries a
 * workflow is left in place (`kept`) for a worker to end that workflow (see TaskStore.revoke).
 */
export function removeOnRevoke(queues: Iterable<ReadyQueue>, delayed: DelayedMessages, id: string, keepWorkflow: boolean): { found: QueuedMessage | undefined; kept: boolean } {
  const keeps = keepWorkflow ? (entry: QueuedMessage) => entry.message !== undefined && carriesWorkflow(entry.message) : undefined;
  let found: QueuedMessage | undefined;
  for (const queue of queues) found = queue.remove(id, keeps) ?? found;
  found = delayed.remove(id, keeps) ?? found;
  return { found, kept: found !== undefined && keeps?.(found) === true };
}
