import type { TaskContext } from '../context/task-context.js';
import type { AsyncResult } from '../result/async-result.js';
import type { PartialSignature, Signature } from '../canvas/signature.js';

/* biome-ignore-all lint/suspicious/noExplicitAny: conditional types over arbitrary functions need `any` internally */
type AnyFunction = (...args: any[]) => unknown;

/** The arguments a caller passes: the method's parameters, minus a leading `TaskContext` for bound tasks. */
export type TaskArgs<F> = F extends (...args: infer P) => unknown
  ? P extends [infer First, ...infer Rest]
    ? [First] extends [TaskContext]
      ? Rest
      : P
    : P
  : never;

/** What `AsyncResult.get()` resolves to: the method's awaited return value. */
export type TaskResult<F> = F extends (...args: any[]) => infer R ? Awaited<R> : never;

/** Per-call options (Celery's `apply_async` keywords). */
export interface ApplyOptions {
  /** Run no earlier than this many ms from now. */
  countdown?: number;
  /** Run no earlier than this time. */
  eta?: Date | number;
  /** Do not run after this: ms from now (number) or a point in time (Date). */
  expires?: number | Date;
  /** 0 to 9, higher first. */
  priority?: number;
  queue?: string;
  /** Use this id instead of a generated one (must be unused). */
  taskId?: string;
}

/** A typed way to call one task in the background. */
export interface TaskHandle<A extends unknown[], R> {
  readonly name: string;
  /** Enqueue with default options. Resolves once the broker has accepted the task. */
  delay(...args: A): Promise<AsyncResult<R>>;
  applyAsync(args: A, options?: ApplyOptions): Promise<AsyncResult<R>>;
  /**
   * Enqueue many calls at once (BullMQ's `addBulk`): one publish for all, results in call order.
   * All arguments are checked before anything is enqueued.
   */
  bulk(argsList: readonly A[], options?: Omit<ApplyOptions, 'taskId'>): Promise<AsyncResult<R>[]>;
  /** A handle on an existing task id, typed with this task's result. */
  result(id: string): AsyncResult<R>;
  /** A call to make later, for `chain`/`group`/`chord` (in a chain it ignores the previous result). */
  s(...args: A): Signature<R>;
  /** A call missing its first argument: a chain link gets the previous result there, a chord callback the list of results. */
  partial(...rest: Rest<A>): PartialSignature<First<A>, R>;
}

type First<A extends unknown[]> = A extends [infer F, ...unknown[]] ? F : A extends [(infer F)?, ...unknown[]] ? F | undefined : never;
type Rest<A extends unknown[]> = A extends [unknown, ...infer R] ? R : A extends [unknown?, ...infer R] ? R : [];

/** `app.register(instance)`: one handle per method of the instance. */
export type TaskHandles<T> = {
  readonly [K in keyof T as T[K] extends AnyFunction ? K : never]: TaskHandle<TaskArgs<T[K]>, TaskResult<T[K]>>;
};
