// Compiled by decorator-worlds.test.ts once with standard (TC39) decorators and once with
// `experimentalDecorators`, then run with Node: both must give the same names, metadata and
// typed handles. Type errors fail the compile, so the `@ts-expect-error` lines are type tests.
import { Celeriac, type InvalidOptionError, readTaskMetadata, schedule, task, type TaskContext } from '../../src/index.js';

class Reports {
  constructor(private readonly by: string) {}

  @task({ retries: 1 })
  async daily(day: string): Promise<{ rows: number; by: string }> {
    return { rows: day.length, by: this.by };
  }

  @schedule({ every: 60_000 })
  @task({ bind: true, name: 'reports.rebuild' })
  async rebuild(ctx: TaskContext, total: number): Promise<string> {
    await ctx.progress(total, total);
    return `rebuilt ${total}`;
  }

  helper(): string {
    return 'not a task';
  }
}

class NightlyReports extends Reports {
  @task()
  async nightly(): Promise<number> {
    return 7;
  }
}

const errorOf = (fn: () => unknown): string => {
  try {
    fn();
    return '';
  } catch (error) {
    return `${(error as InvalidOptionError).code}: ${(error as Error).message}`;
  }
};

const app = new Celeriac();
const reports = app.register(new NightlyReports('fixture'));

// Typed handles: arguments and results come from the methods.
// @ts-expect-error daily takes a string
void (() => reports.daily.delay(42));
// @ts-expect-error the bound context is not passed by callers
void (() => reports.rebuild.delay({} as TaskContext, 3));

await app.worker().start();
const daily: { rows: number; by: string } = await (await reports.daily.delay('2026-12-07')).wait({ timeout: 10_000 });
const rebuilt: string = await (await reports.rebuild.delay(3)).wait({ timeout: 10_000 });
const nightly: number = await (await reports.nightly.delay()).wait({ timeout: 10_000 });
await app.close();

console.log(
  JSON.stringify({
    names: app.registry.names().sort(),
    schedules: app.registry.schedules().map((s) => s.name),
    daily,
    rebuilt,
    nightly,
    metadata: readTaskMetadata(Reports.prototype.daily)?.retries,
    staticMethod: errorOf(() => {
      class Static {
        @task()
        static run(): void {}
      }
      return Static;
    }),
    badOption: errorOf(() => {
      class Bad {
        @task({ retries: -1 })
        run(): void {}
      }
      return Bad;
    }),
    withoutParentheses: errorOf(() => (task as unknown as (...args: unknown[]) => unknown)(function run() {}, { kind: 'method', name: 'run' })),
  }),
);
