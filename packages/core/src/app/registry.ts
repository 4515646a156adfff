import { InvalidOptionError } from '../errors/invalid-option-error.js';
import type { ResolvedTaskOptions } from '../options/task-options.js';

/** A task the app can run: its options and the function to call (already bound to its instance). */
export interface RegisteredTask {
  readonly options: ResolvedTaskOptions;
  readonly run: (...args: unknown[]) => unknown;
}

/** Task name → task. The one place that knows what this process can run. */
export class TaskRegistry {
  readonly #tasks = new Map<string, RegisteredTask>();

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

  queues(): string[] {
    return [...new Set([...this.#tasks.values()].map((t) => t.options.queue))];
  }
}
