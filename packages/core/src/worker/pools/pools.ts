import type { Logger } from '../../context/logger.js';
import type { RegisteredTask, TaskRegistry } from '../../app/registry.js';
import { InvalidOptionError } from '../../errors/invalid-option-error.js';
import type { PoolKind } from '../../options/task-options.js';
import type { ResolvedWorkerOptions } from '../worker-options.js';
import { InlinePool } from './inline-pool.js';
import type { TaskPool } from './pool.js';
import { RunnerPool } from './runner-pool.js';
import { spawnProcess, spawnThread } from './spawn.js';

const INLINE = new InlinePool();

/**
 * The pools of one worker: which pool runs each task (its own `pool` option, else the worker's),
 * and the runners, started with the worker so a module that cannot be used stops `start()` with an
 * error naming the option rather than failing every task later.
 */
export class Pools {
  readonly #default: PoolKind;
  readonly #runners = new Map<PoolKind, RunnerPool>();

  private constructor(defaultKind: PoolKind) {
    this.#default = defaultKind;
  }

  static async start(options: ResolvedWorkerOptions, registry: TaskRegistry, tasks: readonly string[], logger: Logger): Promise<Pools> {
    const pools = new Pools(options.pool);
    const byKind = new Map<PoolKind, string[]>();
    for (const name of tasks) {
      const kind = registry.get(name)?.options.pool ?? options.pool;
      if (kind !== 'inline') byKind.set(kind, [...(byKind.get(kind) ?? []), name]);
    }
    if (byKind.size === 0) return pools;
    const module = options.module;
    if (module === undefined) {
      const [kind, names] = [...byKind][0] as [PoolKind, string[]];
      throw new InvalidOptionError('app.worker()', 'module', `is required to run tasks in the "${kind}" pool (${names.join(', ')}): name the module that exports your Celeriac app, e.g. new URL('./app.js', import.meta.url)`);
    }
    try {
      for (const [kind, names] of byKind) {
        const pool = new RunnerPool({
          kind: kind as 'threads' | 'process',
          spawn: kind === 'threads' ? spawnThread : spawnProcess,
          module,
          size: options.concurrency,
          maxTasksPerRunner: options.maxTasksPerRunner,
          maxMemoryPerRunner: options.maxMemoryPerRunner,
          revokeGracePeriod: options.revokeGracePeriod,
          logger,
        });
        pools.#runners.set(kind, pool);
        let registered: string[];
        try {
          registered = await pool.start();
        } catch (error) {
          throw new InvalidOptionError('app.worker()', 'module', (error as Error).message);
        }
        const missing = names.filter((n) => !registered.includes(n));
        if (missing.length > 0) {
          throw new InvalidOptionError('app.worker()', 'module', `(${module}) does not register ${missing.join(', ')}, which run in the "${kind}" pool: export the app those tasks are registered on`);
        }
      }
    } catch (error) {
      await pools.close();
      throw error;
    }
    return pools;
  }

  poolFor(definition: RegisteredTask): TaskPool {
    const kind = definition.options.pool ?? this.#default;
    return kind === 'inline' ? INLINE : (this.#runners.get(kind) as RunnerPool);
  }

  async close(): Promise<void> {
    await Promise.all([...this.#runners.values()].map((p) => p.close()));
  }
}

export { INLINE as inlinePool };
