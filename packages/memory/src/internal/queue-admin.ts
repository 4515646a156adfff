import type { QueueInfo, TaskMessage } from '@celeriac/core/adapter';
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
