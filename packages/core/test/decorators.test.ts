import { describe, expect, it } from 'vitest';
import { Celeriac, InvalidOptionError, NotATaskError, readTaskMetadata, task, type TaskOptions } from '../src/index.js';
import { scanTaskMethods } from '../src/metadata/scan-task-methods.js';

const decorate = (options: TaskOptions | undefined) => {
  class Reports {
    @task(options)
    build(): number {
      return 1;
    }
  }
  return Reports;
};

describe('@task()', () => {
  it('stores normalized options with defaults, named ClassName.method', () => {
    const Reports = decorate(undefined);
    expect(readTaskMetadata(Reports.prototype.build)).toEqual({
      name: 'Reports.build',
      queue: 'default',
      retries: 0,
      backoff: { type: 'exponential', delay: 1000, maxDelay: 3_600_000, jitter: true },
      timeLimit: undefined,
      softTimeLimit: undefined,
      expires: undefined,
      priority: 0,
      bind: false,
    });
  });

  it('keeps given options', () => {
    const Reports = decorate({ name: 'reports.build', queue: 'slow', retries: 3, backoff: { type: 'fixed', delay: 50, jitter: false }, timeLimit: 1000, softTimeLimit: 500, expires: 60_000, priority: 7, bind: true });
    expect(readTaskMetadata(Reports.prototype.build)).toMatchObject({
      name: 'reports.build',
      queue: 'slow',
      retries: 3,
      backoff: { type: 'fixed', delay: 50, maxDelay: 3_600_000, jitter: false },
      timeLimit: 1000,
      softTimeLimit: 500,
      expires: 60_000,
      priority: 7,
      bind: true,
    });
  });

  const misuses: [string, unknown, RegExp][] = [
    ['an unknown option', { retry: 3 }, /option "retry" is not a known option/],
    ['negative retries', { retries: -1 }, /option "retries" must be a non-negative integer, got -1/],
    ['fractional retries', { retries: 1.5 }, /option "retries" must be a non-negative integer/],
    ['a bad backoff type', { backoff: { type: 'linear' } }, /option "backoff.type" must be "fixed" or "exponential"/],
    ['an unknown backoff key', { backoff: { factor: 2 } }, /option "backoff.factor" is not a known option/],
    ['maxDelay below delay', { backoff: { delay: 100, maxDelay: 10 } }, /option "backoff.maxDelay" \(10 ms\) must be at least backoff.delay/],
    ['a zero time limit', { timeLimit: 0 }, /option "timeLimit" must be a positive number of milliseconds/],
    ['soft limit not below hard', { timeLimit: 100, softTimeLimit: 100 }, /option "softTimeLimit" \(100 ms\) must be below timeLimit/],
    ['priority out of range', { priority: 10 }, /option "priority" must be an integer from 0 to 9, got 10/],
    ['a bad name', { name: 'has space' }, /option "name" must be a name/],
    ['a bad queue', { queue: '' }, /option "queue" must be a name/],
    ['expires as a string', { expires: '10s' }, /option "expires" must be a positive number of milliseconds, got "10s"/],
    ['bind not boolean', { bind: 'yes' }, /option "bind" must be a boolean/],
  ];

  it.each(misuses)('rejects %s when the class is defined, naming @task(), the option and Class.method', (_, options, message) => {
    try {
      decorate(options as TaskOptions);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidOptionError);
      expect((error as InvalidOptionError).code).toBe('INVALID_OPTION');
      expect((error as Error).message).toMatch(/^@task\(\) on Reports\.build: /);
      expect((error as Error).message).toMatch(message);
    }
  });

  it('refuses static methods and accessors', () => {
    expect(() => {
      class S {
        @task()
        static run(): void {}
      }
      return S;
    }).toThrow(/@task\(\) on S\.run: option "target" is a static method/);
    expect(() => {
      class G {
        @task()
        get value(): number {
          return 1;
        }
      }
      return G;
    }).toThrow(/@task\(\) on G\.value: option "target" is not a method/);
  });

  it('says to add parentheses when written @task instead of @task()', () => {
    const bare = task as unknown as (target: object, key: string, descriptor: PropertyDescriptor) => void;
    class Bare {
      run(): void {}
    }
    expect(() => bare(Bare.prototype, 'run', Object.getOwnPropertyDescriptor(Bare.prototype, 'run') as PropertyDescriptor)).toThrow(
      /@task\(\): option "options" was given a class member: write @task\(\) with parentheses/,
    );
  });

  it('lets a subclass inherit tasks and override one without touching its parent', () => {
    class Base {
      @task({ queue: 'base' })
      a(): string {
        return 'base a';
      }
      @task()
      b(): string {
        return 'base b';
      }
    }
    class Child extends Base {
      @task({ name: 'Child.a', queue: 'child' })
      override a(): string {
        return 'child a';
      }
      override b(): string {
        return 'plain now';
      }
    }
    expect(scanTaskMethods(new Child()).map((t) => [t.key, t.options.name, t.options.queue])).toEqual([['a', 'Child.a', 'child']]);
    expect(scanTaskMethods(new Base()).map((t) => [t.key, t.options.queue])).toEqual([
      ['a', 'base'],
      ['b', 'default'],
    ]);
    const copy = readTaskMetadata(Base.prototype.a);
    if (copy !== undefined) copy.queue = 'mutated';
    expect(readTaskMetadata(Base.prototype.a)?.queue).toBe('base');
  });
});

describe('app.register()', () => {
  class Mailer {
    constructor(private readonly from: string) {}
    @task()
    send(to: string): string {
      return `${this.from} → ${to}`;
    }
    helper(): string {
      return 'not a task';
    }
  }

  it('returns handles for decorated methods, bound to the instance and its injected services', async () => {
    const app = new Celeriac({ eager: true });
    const handles = app.register(new Mailer('noreply@example.com'));
    expect(handles.send.name).toBe('Mailer.send');
    expect(await (await handles.send.delay('ann@example.com')).get()).toBe('noreply@example.com → ann@example.com');
    expect(() => handles.helper).toThrow(NotATaskError);
    expect(() => handles.helper).toThrow('Mailer.helper is not a task: decorate it with @task()');
    await app.close();
  });

  it('refuses a second task with the same name and an instance without tasks', () => {
    const app = new Celeriac({ eager: true });
    app.register(new Mailer('a'));
    expect(() => app.register(new Mailer('b'))).toThrow(/app.register\(Mailer\): option "name" "Mailer.send" is already registered/);
    class Empty {}
    expect(() => app.register(new Empty())).toThrow(/has no @task\(\) methods/);
  });

  it('registers plain functions with app.task(), which needs a name', async () => {
    const app = new Celeriac({ eager: true });
    const add = app.task({ name: 'math.add' }, (a: number, b: number) => a + b);
    expect(await (await add.delay(2, 3)).get()).toBe(5);
    expect(() => app.task({} as { name: string }, () => 1)).toThrow(/option "name" is required/);
  });

  it('validates app options at construction, naming the option', () => {
    expect(() => new Celeriac({ eagr: true } as never)).toThrow(/new Celeriac\(\): option "eagr" is not a known option/);
    expect(() => new Celeriac({ broker: {} as never } as never)).toThrow(/option "broker" is replaced by `store`/);
    expect(() => new Celeriac({ store: {} as never })).toThrow(/option "store" is missing enqueue, publish, reserve/);
  });
});
