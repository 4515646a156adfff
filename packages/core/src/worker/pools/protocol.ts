import type { SerializedError, TaskMeta } from '../../contracts/record.js';
import type { LogFields } from '../../context/logger.js';
import type { TaskState } from '../../state/states.js';
import type { RetryVerdict } from '../retry-policy.js';

/**
 * The messages between a worker and its runners (threads or child processes). Everything here is
 * plain data: structured clone for threads, the same ('advanced' serialization) over a child's
 * IPC channel. Task arguments and results are JSON already (core checks both).
 *
 * One run at a time per runner, so a terminated runner costs exactly one task.
 */

/** How the runner finds the tasks: the worker's `module` option, resolved. */
export interface RunnerConfig {
  readonly module: string;
  /** Report memory after each task (`maxMemoryPerRunner`); reading it costs more than a no-op task. */
  readonly measureMemory: boolean;
}

/** Why a run's signal was aborted; the runner rebuilds the matching error as `ctx.signal.reason`. */
export type AbortCause =
  | { readonly kind: 'revoked'; readonly taskId: string }
  | { readonly kind: 'time-limit'; readonly limitMs: number; readonly hard: boolean }
  | { readonly kind: 'shutdown' }
  | { readonly kind: 'other'; readonly error: SerializedError };

export type ToRunner =
  | { readonly type: 'run'; readonly id: string; readonly task: string; readonly args: unknown[]; readonly attempt: number }
  | { readonly type: 'abort'; readonly id: string; readonly cause: AbortCause }
  /** The answer to an `update`: stored (or the store failed, which the task only logs). */
  | { readonly type: 'updated'; readonly call: number };

export type FromRunner =
  /** The module loaded; these tasks are registered in the runner. */
  | { readonly type: 'ready'; readonly tasks: string[] }
  /** The module could not be used; the worker refuses to start and names the `module` option. */
  | { readonly type: 'load-failed'; readonly problem: string }
  /** `ctx.updateState()` / `ctx.progress()`: stored by the worker, answered with `updated`. */
  | { readonly type: 'update'; readonly id: string; readonly call: number; readonly state: TaskState; readonly meta: TaskMeta | undefined }
  | { readonly type: 'log'; readonly id: string; readonly level: 'debug' | 'info' | 'warn' | 'error'; readonly message: string; readonly fields: LogFields | undefined }
  /** The run is over. `memory`: the runner's usage in bytes now, for `maxMemoryPerRunner` (0 when not asked). */
  | { readonly type: 'done'; readonly id: string; readonly ok: true; readonly result: unknown; readonly memory: number }
  | { readonly type: 'done'; readonly id: string; readonly ok: false; readonly verdict: RetryVerdict; readonly memory: number };
