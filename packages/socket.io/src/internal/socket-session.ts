import type { SubscribeOutcome } from '../events.js';
import type { TaskChannelSocket } from '../task-channel-options.js';
import { parseIds } from './parse-ids.js';
import { roomOf } from './rooms.js';
import { PendingCount, type SubscribeEnv, subscribeOne } from './subscribe-one.js';

/** The channel's listeners on one socket; `detach()` removes them (on `close()`). */
export class SocketSession<SocketData> {
  readonly #pending = new PendingCount();

  constructor(
    private readonly env: SubscribeEnv<SocketData>,
    readonly socket: TaskChannelSocket<SocketData>,
  ) {
    socket.on('subscribe', this.#onSubscribe);
    socket.on('unsubscribe', this.#onUnsubscribe);
  }

  detach(): void {
    this.socket.off('subscribe', this.#onSubscribe);
    this.socket.off('unsubscribe', this.#onUnsubscribe);
  }

  // Payloads come from the network: typed as the contract says, checked as if they were anything.
  readonly #onSubscribe = (payload: unknown, ack: unknown): void => {
    void this.#subscribe(payload).then(
      (outcomes) => {
        if (typeof ack === 'function') ack(outcomes);
      },
      (error: unknown) => this.env.logger.error('task channel: subscribe failed', { socketId: this.socket.id, error: String(error) }),
    );
  };

  readonly #onUnsubscribe = (payload: unknown, ack: unknown): void => {
    for (const parsed of parseIds(payload)) {
      // Leaving is synchronous in Socket.IO's adapters, so nothing is sent after the acknowledgement.
      if (parsed.valid) void this.socket.leave(roomOf(parsed.id));
    }
    if (typeof ack === 'function') ack();
  };

  async #subscribe(payload: unknown): Promise<SubscribeOutcome[]> {
    const parsed = parseIds(payload);
    // The same id twice in one request is one subscription (and one slot of the limit).
    const byId = new Map<string, Promise<SubscribeOutcome>>();
    const outcomes = parsed.map((p) => {
      const key = `${p.valid}:${p.id}`;
      let outcome = byId.get(key);
      if (outcome === undefined) {
        outcome = subscribeOne(this.env, this.socket, this.#pending, p);
        byId.set(key, outcome);
      }
      return outcome;
    });
    return Promise.all(outcomes);
  }
}
