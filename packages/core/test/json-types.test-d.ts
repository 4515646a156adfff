import { describe, expectTypeOf, it } from 'vitest';
import { type AsyncResult, Celeriac, type JsonArg, type JsonResult, type NotJsonArgument, task } from '../src/index.js';

class Calendar {
  @task()
  async book(room: string, at: Date): Promise<{ room: string; at: Date }> {
    return { room, at };
  }

  @task()
  async bookIso(room: string, at: string): Promise<{ room: string; at: Date; tags: Set<string>; format(): string }> {
    return { room, at: new Date(at), tags: new Set(), format: () => room };
  }

  @task()
  count(options: { rooms: string[]; since?: number | null; nested: { deep: [number, boolean] } }): number {
    return options.rooms.length;
  }

  @task()
  raw(value: unknown): unknown {
    return value;
  }
}

const app = new Celeriac();
const tasks = app.register(new Calendar());

describe('handles type what crosses the JSON boundary', () => {
  it('makes a Date parameter a compile error, with the reason in the type', () => {
    // @ts-expect-error: a Date arrives as a string; the handle refuses it
    void tasks.book.delay('a', new Date());
    // @ts-expect-error: and the string it would become is not a Date either
    void tasks.book.delay('a', new Date().toISOString());
    expectTypeOf(tasks.book.delay).parameter(1).toEqualTypeOf<
      NotJsonArgument<'a Date arrives as a string: take an ISO string (or a timestamp) and make the Date inside the task'>
    >();
  });

  it('types a Date result as the ISO string it is, drops methods, and turns a Set into {}', async () => {
    const result = await tasks.bookIso.delay('a', new Date().toISOString());
    expectTypeOf(result).toEqualTypeOf<AsyncResult<{ room: string; at: string; tags: Record<string, never> }>>();
    expectTypeOf<JsonResult<{ at: Date; when?: Date | null; list: Date[] }>>().toEqualTypeOf<{ at: string; when?: string | null; list: string[] }>();
  });

  it('keeps JSON-shaped parameters as they are, optional and nullable parts included', () => {
    expectTypeOf(tasks.count.delay).parameters.toEqualTypeOf<[options: { rooms: string[]; since?: number | null; nested: { deep: [number, boolean] } }]>();
    void tasks.count.delay({ rooms: ['a'], nested: { deep: [1, true] } });
    expectTypeOf(tasks.raw.delay).parameters.toEqualTypeOf<[value: unknown]>();
  });

  it('refuses Maps, Sets, bigints, functions and class instances as arguments', () => {
    expectTypeOf<JsonArg<Map<string, number>>>().toEqualTypeOf<NotJsonArgument<'a Map or Set arrives as {}: pass an array or a plain object'>>();
    expectTypeOf<JsonArg<bigint>>().toEqualTypeOf<NotJsonArgument<'JSON has no bigint: pass it as a string'>>();
    expectTypeOf<JsonArg<() => void>>().toEqualTypeOf<NotJsonArgument<'functions and symbols do not travel as JSON'>>();
    const fn = app.task({ name: 'json.fn' }, (_callback: () => void, _when: { at: Date }) => 1);
    // @ts-expect-error: a function does not travel
    void fn.delay(() => undefined, { at: '' });
    // @ts-expect-error: nor does a Date nested in an object
    void fn.delay('x' as never, { at: new Date() });
  });

  it('types plain-function task results through JSON too', async () => {
    const when = app.task({ name: 'json.when' }, () => new Date());
    expectTypeOf(await when.delay()).toEqualTypeOf<AsyncResult<string>>();
  });
});
