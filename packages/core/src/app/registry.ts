import { InvalidOptionError } from '../errors/invalid-option-error.js';
import type { RateLimit } from '../contracts/broker.js';
import type { ResolvedTaskOptions } from '../options/task-options.js';
import type { Schedule } from '../schedule/schedule-options.js';

/** A task the app can run: its options and the function to call (already bound to its instance). */
export interface RegisteredTask {
  readonly options: ResolvedTaskOptions;
  readonly run: (...args: unknown[]) => unknown;
}

/** Task name → task. The one place that knows what this process can run. */
export class TaskRegistry {
  readonly #tasks = new Map<string, RegisteredTask>();
  readonly #schedules = new Map<string, Schedule>();

  addSchedule(schedule: Schedule, where: string): void {
    if (this.#schedules.has(schedule.name)) {
      throw new InvalidOptionError(where, 'name', `schedule "${schedule.name}" already exists: give the second one its own name`);
    }
    this.#schedules.set(schedule.name, schedule);
  }

  schedules(): Schedule[] {
    return [...this.#schedules.values()];
  }

  add(task: RegisteredTask, where: string): void {
    const name = task.options.name;
    if (this.#tasks.has(name)) {
      throw new InvalidOptionError(where, 'name', `"${name}" is already registered: give one of the tasks another name`);
    }
    this.#tasks.set(name, task);
  }

  get(name: string): RegisteredTask | undefined {
    return this.#tasks.get(name);
  }

  names(): string[] {
    return [...this.#tasks.keys()];
  }

  /** The rate limits of the named tasks, for `ReserveRequest.rateLimits`. */
  rateLimits(names: readonly string[]): Record<string, RateLimit> | undefined {
    let limits: Record<string, RateLimit> | undefined;
    for (const name of names) {
      const limit = this.#tasks.get(name)?.options.rateLimit;
      if (limit !== undefined) (limits ??= {})[name] = limit;
    }
    return limits;
  }

  queues(): string[] {
    return [...new Set([...this.#tasks.values()].map((t) => t.options.queue))];
  }
}
