import type { TaskMessage } from '../../contracts/message.js';
import type { Logger } from '../../context/logger.js';
import type { RegisteredTask } from '../../app/registry.js';
import { RunnerCrashedError } from '../../errors/runner-crashed-error.js';
import { TaskRevokedError } from '../../errors/revoked-error.js';
import { TimeLimitExceededError } from '../../errors/time-limit-error.js';
import { WorkerShutdownError } from '../../errors/worker-shutdown-error.js';
import { type ContextHost, storeHost } from '../create-context.js';
import type { LazyAbort } from '../lazy-abort.js';
import type { RetryVerdict } from '../retry-policy.js';
import { RemoteFailure, type RunEnv, type StateWriter, type TaskPool } from './pool.js';
import type { FromRunner } from './protocol.js';
import { abortCause } from './runner-context.js';
import type { RunnerHandle, SpawnRunner } from './spawn.js';

export interface RunnerPoolOptions {
  readonly kind: 'threads' | 'process';
  readonly spawn: SpawnRunner;
  readonly module: string;
  /** Runners kept: the worker's concurrency, so a free slot always has a runner. */
  readonly size: number;
  readonly maxTasksPerRunner: number | undefined;
  readonly maxMemoryPerRunner: number | undefined;
  readonly revokeGracePeriod: number;
  readonly logger: Logger;
}

type Outcome = { ok: true; result: unknown } | { ok: false; verdict: RetryVerdict };

interface Run {
  readonly id: string;
  host(): ContextHost;
  settle(outcome: Outcome | Error): void;
}

interface Runner {
  readonly handle: RunnerHandle;
  readonly ready: Promise<string[]>;
  readonly gone: Promise<void>;
  run: Run | undefined;
  tasks: number;
  /** Why the pool ended it, for the crash report of the run it held. */
  killedFor: string | undefined;
}

const RESPAWN_DELAY_MS = 1_000;

/**
 * Threads or child processes, one task at a time each. A runner that dies costs only the task it
 * held (`RunnerCrashedError`); it is replaced at once. A hard time limit, a shutdown past its
 * deadline and a revoke ignored past `revokeGracePeriod` end the runner: that is the only way to
 * stop JavaScript that does not check its signal.
 */
export class RunnerPool implements TaskPool {
  readonly kind: 'threads' | 'process';
  readonly #options: RunnerPoolOptions;
  readonly #runners = new Set<Runner>();
  readonly #idle: Runner[] = [];
  readonly #waiting: { resolve(runner: Runner): void; reject(error: Error): void }[] = [];
  #closed = false;

  constructor(options: RunnerPoolOptions) {
    this.kind = options.kind;
    this.#options = options;
  }

  /** Starts every runner; resolves with the tasks the module registers, or rejects with why it cannot be used. */
  async start(): Promise<string[]> {
    const runners = Array.from({ length: this.#options.size }, () => this.#spawn());
    const names = await Promise.all(runners.map((r) => r.ready));
    return names[0] ?? [];
  }

  run(_definition: RegisteredTask, message: TaskMessage, controller: LazyAbort, env: RunEnv, report: StateWriter): Promise<unknown> {
    // An idle runner is the common case: straight to it, without a promise hop per task.
    const idle = this.#idle.pop();
    if (idle !== undefined) return this.#runOn(idle, message, controller, env, report);
    // No runner free (one is being replaced): a hard limit or a shutdown may decide the run first.
    let stopped: unknown;
    controller.onAbort = (reason) => {
      if (stops(reason)) stopped = reason;
    };
    return this.#acquire().then((runner) => {
      if (stopped === undefined) return this.#runOn(runner, message, controller, env, report);
      this.#release(runner);
      throw stopped;
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const waiter of this.#waiting.splice(0)) waiter.reject(new WorkerShutdownError());
    const runners = [...this.#runners];
    for (const runner of runners) this.#kill(runner, 'the worker closed');
    await Promise.all(runners.map((r) => r.gone));
  }

  #runOn(runner: Runner, message: TaskMessage, controller: LazyAbort, env: RunEnv, report: StateWriter): Promise<unknown> {
    return new Promise<unknown>((resolve, reject) => {
      let graceTimer: NodeJS.Timeout | undefined;
      const onAbort = (reason: unknown) => {
        // The task sees the first reason only (its signal aborts once); later ones may escalate.
        runner.handle.send({ type: 'abort', id: message.id, cause: abortCause(reason) });
        if (stops(reason)) {
          // The run is already decided (handed back, or FAILURE): only the code is left to stop.
          this.#kill(runner, (reason as Error).message);
        } else if (reason instanceof TaskRevokedError) {
          graceTimer ??= setTimeout(() => this.#kill(runner, 'the task ignored its revoke'), this.#options.revokeGracePeriod);
        }
      };
      let context: ContextHost | undefined;
      runner.run = {
        id: message.id,
        // Made on the first progress report or log line: most tasks send neither.
        host: () => (context ??= storeHost(report, env.logger, message)),
        settle: (outcome) => {
          clearTimeout(graceTimer);
          controller.onAbort = undefined;
          if (outcome instanceof Error) reject(outcome);
          else if (outcome.ok) resolve(outcome.result);
          else reject(new RemoteFailure(outcome.verdict));
        },
      };
      runner.handle.send({ type: 'run', id: message.id, task: message.task, args: message.args, attempt: message.attempt });
      controller.onAbort = onAbort;
      if (controller.aborted) onAbort(controller.reason);
    });
  }

  #spawn(): Runner {
    let ready!: (tasks: string[]) => void;
    let failed!: (problem: string) => void;
    let markGone!: () => void;
    const runner: Runner = {
      gone: new Promise<void>((resolve) => (markGone = resolve)),
      ready: new Promise<string[]>((resolve, reject) => {
        ready = resolve;
        failed = (problem) => reject(new Error(problem));
      }),
      run: undefined,
      tasks: 0,
      killedFor: undefined,
      handle: this.#options.spawn(
        { module: this.#options.module, measureMemory: this.#options.maxMemoryPerRunner !== undefined },
        {
          message: (message) => this.#onMessage(runner, message, ready, failed),
          exit: (detail) => {
            failed(`the runner exited before loading the module: ${detail}`);
            this.#onExit(runner, detail);
            markGone();
          },
        },
      ),
    };
    runner.ready.catch(() => undefined); // start() reports it; a replacement's failure is logged on exit
    this.#runners.add(runner);
    return runner;
  }

  #onMessage(runner: Runner, message: FromRunner, ready: (tasks: string[]) => void, failed: (problem: string) => void): void {
    switch (message.type) {
      case 'ready':
        ready(message.tasks);
        this.#release(runner);
        return;
      case 'load-failed':
        failed(message.problem);
        this.#kill(runner, 'its module could not be loaded');
        return;
      case 'update':
        void runner.run?.host().storeState(message.state, message.meta).then(() => runner.handle.send({ type: 'updated', call: message.call }));
        return;
      case 'log':
        runner.run?.host().logger[message.level](message.message, message.fields);
        return;
      case 'done': {
        const run = runner.run;
        runner.run = undefined;
        runner.tasks++;
        run?.settle(message.ok ? { ok: true, result: message.result } : { ok: false, verdict: message.verdict });
        const { maxTasksPerRunner, maxMemoryPerRunner } = this.#options;
        if (maxTasksPerRunner !== undefined && runner.tasks >= maxTasksPerRunner) this.#kill(runner, 'recycled after maxTasksPerRunner');
        else if (maxMemoryPerRunner !== undefined && message.memory > maxMemoryPerRunner * 1024 * 1024) this.#kill(runner, 'recycled after maxMemoryPerRunner');
        else this.#release(runner);
      }
    }
  }

  #onExit(runner: Runner, detail: string): void {
    this.#runners.delete(runner);
    const idle = this.#idle.indexOf(runner);
    if (idle >= 0) this.#idle.splice(idle, 1);
    const run = runner.run;
    runner.run = undefined;
    run?.settle(new RunnerCrashedError(this.kind, runner.killedFor ?? detail));
    if (this.#closed) return;
    if (runner.killedFor === undefined) this.#options.logger.error(`a ${this.kind} runner died: ${detail}; starting another`, run === undefined ? {} : { id: run.id });
    // Replaced at once, unless it never got as far as loading the module (then not in a tight loop).
    runner.ready.then(
      () => this.#spawn(),
      () => setTimeout(() => this.#closed || this.#spawn(), RESPAWN_DELAY_MS).unref(),
    );
  }

  #kill(runner: Runner, why: string): void {
    runner.killedFor ??= why;
    runner.handle.kill();
  }

  #acquire(): Promise<Runner> {
    const runner = this.#idle.pop();
    if (runner !== undefined) return Promise.resolve(runner);
    if (this.#closed) return Promise.reject(new WorkerShutdownError());
    return new Promise<Runner>((resolve, reject) => this.#waiting.push({ resolve, reject }));
  }

  #release(runner: Runner): void {
    if (this.#closed) return void this.#kill(runner, 'the worker closed');
    const waiter = this.#waiting.shift();
    if (waiter !== undefined) waiter.resolve(runner);
    else this.#idle.push(runner);
  }
}

/** An abort that ends the run whatever the task does: a hard time limit, or a shutdown past its deadline. */
function stops(reason: unknown): boolean {
  return reason instanceof WorkerShutdownError || (reason instanceof TimeLimitExceededError && reason.kind === 'hard');
}
