import type { TaskContext } from '../context/task-context.js';
import type { AsyncResult } from '../result/async-result.js';
import type { PartialSignature, Signature } from '../canvas/signature.js';

/* biome-ignore-all lint/suspicious/noExplicitAny: conditional types over arbitrary functions need `any` internally */
type AnyFunction = (...args: any[]) => unknown;

/**
 * The arguments a caller passes: the method's parameters, minus a leading `TaskContext` for bound
 * tasks, each through {@link JsonArg}: arguments travel as JSON, so a parameter JSON cannot carry
 * unchanged (a `Date`, a `Map`, a class instance, a function) makes every call a compile error.
 */
export type TaskArgs<F> = F extends (...args: infer P) => unknown
  ? P extends [infer First, ...infer Rest]
    ? [First] extends [TaskContext]
      ? JsonArgs<Rest>
      : JsonArgs<P>
    : JsonArgs<P>
  : never;

/**
 * What `AsyncResult.get()` resolves to: the method's awaited return value as it comes back from
 * JSON ({@link JsonResult}): a `Date` result is the ISO string it becomes.
 */
export type TaskResult<F> = F extends (...args: any[]) => infer R ? JsonResult<Awaited<R>> : never;

type JsonPrimitive = string | number | boolean | null;
type IsAny<T> = 0 extends 1 & T ? true : false;

/**
 * The type of an argument JSON cannot carry unchanged. No value has it, so passing anything there
 * fails to compile, and the error shows `Why`. Change the parameter's type to what JSON carries
 * (a `Date` parameter: an ISO string or a timestamp, turned into a Date inside the task).
 */
export interface NotJsonArgument<Why extends string> {
  readonly 'celeriac: not JSON-serializable': Why;
}

type JsonArgs<P extends unknown[]> = { [K in keyof P]: JsonArg<P[K]> };

/**
 * An argument type as it may travel: itself when JSON carries it unchanged (primitives, arrays,
 * plain objects of those; `unknown` and `any` are checked at run time), else a
 * {@link NotJsonArgument} naming the problem.
 */
export type JsonArg<T> =
  IsAny<T> extends true
    ? T
    : unknown extends T
      ? T
      : T extends JsonPrimitive | undefined
        ? T
        : T extends Date
          ? NotJsonArgument<'a Date arrives as a string: take an ISO string (or a timestamp) and make the Date inside the task'>
          : T extends bigint
            ? NotJsonArgument<'JSON has no bigint: pass it as a string'>
            : T extends symbol | ((...args: never[]) => unknown)
              ? NotJsonArgument<'functions and symbols do not travel as JSON'>
              : T extends ReadonlyMap<unknown, unknown> | ReadonlySet<unknown>
                ? NotJsonArgument<'a Map or Set arrives as {}: pass an array or a plain object'>
                : T extends { toJSON(...args: never[]): unknown }
                  ? NotJsonArgument<'a value with toJSON() arrives as its JSON form: pass that form'>
                  : T extends readonly unknown[]
                    ? { [K in keyof T]: JsonArg<T[K]> }
                    : T extends object
                      ? { [K in keyof T]: JsonArg<T[K]> }
                      : NotJsonArgument<'not JSON-serializable'>;

/**
 * A result type as it comes back from JSON: what `toJSON()` returns (a `Date` is its ISO string),
 * a `Map` or `Set` an empty object, function-valued properties gone. A result JSON cannot hold at
 * all (a bigint, a function) fails the task at run time, and is typed `never`.
 */
export type JsonResult<T> =
  IsAny<T> extends true
    ? T
    : unknown extends T
      ? T
      : T extends JsonPrimitive | undefined | void
        ? T
        : T extends { toJSON(...args: never[]): infer J }
          ? JsonResult<J>
          : T extends bigint | symbol | ((...args: never[]) => unknown)
            ? never
            : T extends ReadonlyMap<unknown, unknown> | ReadonlySet<unknown>
              ? Record<string, never>
              : T extends readonly unknown[]
                ? { [K in keyof T]: JsonResult<T[K]> }
                : T extends object
                  ? { [K in keyof T as T[K] extends (...args: never[]) => unknown ? never : K]: JsonResult<T[K]> }
                  : never;

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
  /**
   * Tasks given the same key keep their order on a store that spreads a queue over partitions
   * (`@celeriac/redis` with `partitions`): their ids carry the key's hash, so they all go to one
   * partition, FIFO within a priority there. Cannot be combined with `taskId`. No effect on a
   * store with one queue.
   */
  partitionKey?: string;
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

/** The public methods of `T`: the names `app.register(instance, names)` may list. */
export type MethodNames<T> = { [K in keyof T]: T[K] extends AnyFunction ? K : never }[keyof T] & string;

/**
 * `app.register(instance)`: one handle per method of the instance, or, with `K`, per listed method.
 * Decorators cannot change a class's type, so without a list the type has every public method and
 * reading one without `@task()` throws `NotATaskError`; `app.register(instance, ['a', 'b'])` lists
 * the tasks, checks each is decorated, and types only those.
 */
export type TaskHandles<T, K extends MethodNames<T> = MethodNames<T>> = {
  readonly [P in K]: TaskHandle<TaskArgs<T[P]>, TaskResult<T[P]>>;
};
