import type { Writable } from 'node:stream';

/**
 * Writes SSE frames without piling them up behind a slow client: while `out` is full, only the
 * newest frame of each key waits (a newer one replaces it), and they go out in the order their
 * keys first waited once it drains. Every frame is a snapshot of its key, so the newest says all
 * a skipped one did; memory per stream stays bounded by `out`'s buffer plus one frame per key.
 */
export class KeyedFrameWriter {
  readonly #out: Writable;
  readonly #waiting = new Map<string, string>();
  #full = false;

  constructor(out: Writable) {
    this.#out = out;
    out.on('drain', () => {
      this.#full = false;
      const frames = [...this.#waiting.values()];
      this.#waiting.clear();
      for (const frame of frames) this.#write(frame);
    });
  }

  write(key: string, frame: string): void {
    if (this.#full) this.#waiting.set(key, frame);
    else this.#write(frame);
  }

  /** A keep-alive comment, only when the client keeps up: a full stream is not idle. */
  keepAlive(): void {
    if (!this.#full) this.#write(': keep-alive\n\n');
  }

  end(): void {
    this.#waiting.clear();
    this.#out.end();
  }

  #write(frame: string): void {
    this.#full = !this.#out.write(frame);
  }
}
