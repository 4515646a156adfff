import { describe, expectTypeOf, it } from 'vitest';
import { Celeriac, type TaskHandle, task } from '../src/index.js';

class Mail {
  @task()
  send(to: string): boolean {
    return this.format(to).length > 0;
  }

  format(to: string): string {
    return `<${to}>`;
  }
}

describe('app.register(instance, names): the type lists the tasks and nothing else', () => {
  it('has a handle for each listed method only', () => {
    const handles = new Celeriac().register(new Mail(), ['send']);
    expectTypeOf(handles).toEqualTypeOf<{ readonly send: TaskHandle<[to: string], boolean> }>();
    // @ts-expect-error: format has no @task(): not listed, so not a handle
    void handles.format;
  });

  it('refuses names that are not methods', () => {
    // @ts-expect-error: not a method of Mail
    void new Celeriac().register(new Mail(), ['sendd']);
  });

  it('without names, keeps every public method (decorators cannot change types)', () => {
    const handles = new Celeriac().register(new Mail());
    expectTypeOf(handles).toHaveProperty('format');
  });
});
