import type { Writable } from 'node:stream';

/**
 * Writes a stream's frames without piling them up behind a slow client: while `out` is full (its
 * last write returned false), only the newest frame waits, and each newer one replaces it. A
 * task's record is a snapshot, so the newest says everything a skipped one did, and a client that
 * falls behind gets what a reconnecting one gets: the current state. Memory per stream stays
 * bounded by `out`'s buffer plus one frame, however fast the task reports progress.
 */
export class LatestFrameWriter {
  readonly #out: Writable;
  #waiting: string | undefined;
  #full = false;

  constructor(out: Writable) {
    this.#out = out;
    out.on('drain', () => {
      this.#full = false;
      const frame = this.#waiting;
      this.#waiting = undefined;
      if (frame !== undefined) this.write(frame);
    });
  }

  write(frame: string): void {
    if (this.#full) this.#waiting = frame;
    else this.#full = !this.#out.write(frame);
  }

  /** A keep-alive comment, only when the client keeps up: a full stream is not idle. */
  keepAlive(comment: string): void {
    if (!this.#full) this.#full = !this.#out.write(comment);
  }

  /** Ends `out` after the waiting frame, if any: the last frame (the terminal state) is never dropped. */
  end(): void {
    const frame = this.#waiting;
    this.#waiting = undefined;
    if (frame === undefined) this.#out.end();
    else this.#out.end(frame);
  }
}
