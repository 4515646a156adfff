import type { TaskStore } from '../contracts/task-store.js';
import type { TaskTracing } from '../contracts/tracing.js';
import type { Logger } from '../context/logger.js';
import type { TaskRegistry } from '../app/registry.js';
import type { EventStream } from '../events/event-stream.js';
import type { LifecycleEvents } from '../events/lifecycle-events.js';

/** What a worker is built from: the store may still be connecting. */
export interface WorkerSource {
  connect(): Promise<TaskStore>;
  readonly registry: TaskRegistry;
  readonly logger: Logger;
  /** Tells the store which tasks this worker (`worker`: its `id`) serves until the returned function is called (see task-announcements.ts). */
  announce?(store: TaskStore, tasks: readonly string[], worker: string): Promise<() => void>;
  /** Closes everything the process opened through the app (its store included), so the process can exit. */
  closeAll?(): Promise<void>;
  /** The app's lifecycle events: this worker's go there too, after its own listeners. */
  readonly events?: LifecycleEvents;
  /** The app's queue-wide event stream, and whether the app appends to it (the worker's `events` option overrides). */
  readonly stream?: { readonly stream: EventStream; readonly enabled: boolean };
  /** The app's tracer (`CeleriacOptions.tracing`): a process span around each run. */
  readonly tracing?: TaskTracing;
}
