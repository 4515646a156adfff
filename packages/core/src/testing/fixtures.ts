import { randomUUID } from 'node:crypto';
import type { TaskMessage } from '../contracts/message.js';

/** A valid message with sensible defaults, for adapter tests. */
export function makeMessage(overrides: Partial<TaskMessage> = {}): TaskMessage {
  return { id: randomUUID(), task: 'test.noop', args: [], queue: 'default', priority: 0, attempt: 1, createdAt: Date.now(), ...overrides };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `check` every 20 ms until it holds or `timeoutMs` passes (events are delivered asynchronously). */
export async function until(check: () => boolean, timeoutMs = 3_000): Promise<void> {
  for (const end = Date.now() + timeoutMs; !check() && Date.now() < end; ) await sleep(20);
}
