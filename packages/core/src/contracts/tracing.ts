import type { TaskMessage } from './message.js';
import type { StateUpdate } from './record.js';

/**
 * What a tracer does at the two ends of a task (`CeleriacOptions.tracing`): core knows no tracing
 * library, `@celeriac/opentelemetry` implements this with `@opentelemetry/api`. Without one, the
 * producer and the worker make no call at all.
 */
export interface TaskTracing {
  /**
   * A producer is about to enqueue `message` (`batch` messages in the same call): start its send
   * span and set `message.trace` to carry the span's context. Returns what ends the span, called
   * once the store accepted the message (or with the error that refused it).
   */
  send(message: TaskMessage, batch: number): SendTrace;
  /** A worker (`worker`: its id) is about to run `message`: start its process span. */
  process(message: TaskMessage, worker: string): ProcessTrace;
}

/** Ends a send span. */
export type SendTrace = (error?: unknown) => void;

/** The process span of one run. */
export interface ProcessTrace {
  /** Calls `run` with the span's context active, so the task's own spans are its children. */
  within<T>(run: () => T): T;
  /** The run sent this state to the store (its outcome, a retry, progress). */
  stored(update: StateUpdate): void;
  /** The run is over (its outcome sent, or the worker gave up storing it: `error`). */
  end(error?: unknown): void;
}
