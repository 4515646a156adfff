import type { TaskMessage } from '../contracts/message.js';
import type { SendTrace, TaskTracing } from '../contracts/tracing.js';

/**
 * The send spans of one enqueue call (`CeleriacOptions.tracing`): `start` a span per message as
 * it is built, then `settle` ends them all with the call's outcome.
 */
export class SendSpans {
  readonly #tracing: TaskTracing;
  readonly #batch: number;
  readonly #ends: SendTrace[] = [];

  constructor(tracing: TaskTracing, batch: number) {
    this.#tracing = tracing;
    this.#batch = batch;
  }

  start(message: TaskMessage): TaskMessage {
    this.#ends.push(this.#tracing.send(message, this.#batch));
    return message;
  }

  settle<T>(sent: Promise<T>): Promise<T> {
    return sent.then(
      (value) => {
        this.#end(undefined);
        return value;
      },
      (error: unknown) => {
        this.#end(error);
        throw error;
      },
    );
  }

  #end(error: unknown): void {
    for (const end of this.#ends) end(error);
  }
}

/**
 * Runs `send` (an enqueue or publish of `messages`) inside send spans of its messages when the
 * app traces, so a workflow's steps, started by a follow-up inside the run before them, continue
 * that run's trace; without a tracer, just `send`.
 */
export function sendTraced<T>(tracing: TaskTracing | undefined, messages: readonly TaskMessage[], send: () => Promise<T>): Promise<T> {
  if (tracing === undefined) return send();
  const spans = new SendSpans(tracing, messages.length);
  for (const message of messages) spans.start(message);
  return spans.settle(send());
}
