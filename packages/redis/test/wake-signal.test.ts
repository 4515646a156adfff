import { makeMessage } from '@celeriac/core/testing';
import { describe, expect, it } from 'vitest';
import { brokerKeys } from '../src/internal/keys.js';
import type { StoredMessage } from '../src/internal/message-fields.js';
import type { ChannelHandler, SubscriberHub } from '../src/internal/subscriber-hub.js';
import { WakeSignal } from '../src/internal/wake-signal.js';

/** The hub's side of a wake signal, delivering what a test publishes (the Redis side is tested elsewhere). */
function fakeHub() {
  const handlers = new Map<string, ChannelHandler>();
  const hub = {
    listen: async (channel: string, handler: ChannelHandler) => {
      handlers.set(channel, handler);
      return () => handlers.delete(channel);
    },
  } as unknown as SubscriberHub;
  return { hub, publish: (channel: string, message: string) => handlers.get(channel)?.(message) };
}

const stored = (queue: string, eta?: number): StoredMessage => ({ message: makeMessage({ queue, ...(eta === undefined ? {} : { eta }) }), raw: '', queue, deliveries: 0 });

describe('WakeSignal: the echo of a publish of this process', () => {
  const keys = brokerKeys('wake-test');

  it('is ignored only when the publish woke this process itself', async () => {
    const { hub, publish } = fakeHub();
    const wake = new WakeSignal(hub, keys);
    await wake.watch(['q']);
    const origin = wake.originFor([stored('q')]);
    expect(origin).toBe(wake.origin);
    const before = wake.generation;
    wake.notifyPublished([stored('q')]);
    publish(keys.wake('q'), origin);
    expect(wake.generation).toBe(before + 1); // woken once, by the publish, not again by its echo
  });

  it('wakes on the echo of a publish sent before its queue was watched (the publish may run after the waiter looked)', async () => {
    const { hub, publish } = fakeHub();
    const wake = new WakeSignal(hub, keys);
    const origin = wake.originFor([stored('q')]);
    wake.notifyPublished([stored('q')]); // nobody watches q yet: no one is woken here
    await wake.watch(['q']);
    const before = wake.generation;
    publish(keys.wake('q'), origin);
    expect(wake.generation).toBe(before + 1);
  });

  it('keeps the origin for messages not due yet (they publish no wake-up now)', async () => {
    const wake = new WakeSignal(fakeHub().hub, keys);
    expect(wake.originFor([stored('later', Date.now() + 60_000)])).toBe(wake.origin);
    expect(wake.originFor([stored('later', Date.now() + 60_000), stored('now')])).toBe('');
  });
});
