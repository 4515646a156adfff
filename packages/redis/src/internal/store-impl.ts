import type { ApplyResult, TaskMessage, TaskStore } from '@celeriac/core/adapter';
import type { ResolvedRedisStoreOptions } from '../store-options.js';

/**
 * What `RedisStore` delegates to: one slot (`SlotStore`) or a set of partitions
 * (`PartitionedStore`). The facade checks that the store is open; these do the work. Each is also
 * a `ResultBackend` (`reopen`, `remember`, `message`), for a store that is another broker's backend.
 */
export interface RedisStoreImpl extends TaskStore {
  readonly options: Readonly<ResolvedRedisStoreOptions>;
  connect(): Promise<void>;
  inboxKey(queue: string, taskId?: string): string;
  reopen(id: string, reason?: string): Promise<ApplyResult>;
  remember(messages: readonly TaskMessage[]): Promise<void>;
  message(id: string): Promise<TaskMessage | null>;
  close(): Promise<void>;
}
