import type { TaskStore } from '../contracts/task-store.js';
import type { AsyncResult } from '../result/async-result.js';
import { GroupResult } from './group.js';

export type { GroupResult };

/** How long a group's member list is kept: a day, as long as finished records by default. */
const GROUP_TTL_MS = 86_400_000;

function groupKey(groupId: string): string {
  return `group:${groupId}`;
}

/** Keeps a group's member result ids under its id (compare-and-set: a group id is written once). */
export async function saveGroup(store: TaskStore, groupId: string, memberIds: string[]): Promise<void> {
  await store.compareAndSet(groupKey(groupId), null, JSON.stringify(memberIds), GROUP_TTL_MS);
}

/** The group result saved under `groupId`, or `null` if it is unknown or expired. */
export async function restoreGroup<T extends unknown[]>(store: TaskStore, groupId: string, result: (id: string) => AsyncResult<unknown>): Promise<GroupResult<T> | null> {
  const saved = await store.getValue(groupKey(groupId));
  if (saved === null) return null;
  const ids = JSON.parse(saved) as unknown;
  if (!Array.isArray(ids) || !ids.every((id) => typeof id === 'string')) return null;
  return new GroupResult<T>(groupId, ids.map(result));
}
