import { describe, expect, it } from 'vitest';
import { Celeriac, NotATaskError, task } from '../src/index.js';

class Mail {
  @task()
  send(to: string): string {
    return this.format(to);
  }

  format(to: string): string {
    return `<${to}>`;
  }
}

describe('app.register(instance, names)', () => {
  it('returns handles for the listed tasks only, and still registers every task for workers', async () => {
    const app = new Celeriac({ eager: true });
    const handles = app.register(new Mail(), ['send']);
    expect(Object.keys(handles)).toEqual(['send']);
    expect(await (await handles.send.delay('a@b')).wait()).toBe('<a@b>');
    expect(app.registry.names()).toEqual(['Mail.send']);
    await app.close();
  });

  it('refuses a listed method without @task() with NotATaskError, registering nothing', () => {
    const app = new Celeriac();
    expect(() => app.register(new Mail(), ['send', 'format'] as never)).toThrow(NotATaskError);
    expect(() => app.register(new Mail(), ['format'] as never)).toThrow('Mail.format is not a task');
    expect(app.registry.names()).toEqual([]);
  });
});
