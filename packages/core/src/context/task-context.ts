import type { TaskMeta } from '../contracts/record.js';
import type { TaskState } from '../state/states.js';
import type { Logger } from './logger.js';

declare const contextBrand: unique symbol;

/** Progress in the seed's shape. */
export interface ProgressMeta extends TaskMeta {
  current: number;
  total: number;
  status?: string;
}

/**
 * What a bound task (`@task({ bind: true })`) receives as its first argument: Celery's `self`.
 * Leave it out of `delay()`/`applyAsync()`; the handle's types drop it for you.
 */
export interface TaskContext {
  readonly [contextBrand]?: never;
  readonly id: string;
  readonly name: string;
  /** 1 on the first run, 2 on the first retry … */
  readonly attempt: number;
  /** Automatic retries allowed in total (the task's `retries` option). */
  readonly retries: number;
  /** Aborted when the task is revoked, its soft time limit passes, or the worker shuts down past its deadline. */
  readonly signal: AbortSignal;
  readonly logger: Logger;
  /** Record a user state such as PROGRESS with its meta; subscribers see it at once. */
  updateState(state: TaskState, meta?: TaskMeta): Promise<void>;
  /** Shorthand for `updateState('PROGRESS', { current, total, status })`. */
  progress(current: number, total: number, status?: string): Promise<void>;
  /** End this attempt and run again later (Celery's `self.retry`). Throws; let it propagate. */
  retry(options?: { countdown?: number; reason?: unknown }): never;
}
