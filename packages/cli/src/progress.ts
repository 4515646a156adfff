import type { TaskRecord } from '@celeriac/core';
import cliProgress from 'cli-progress';

/**
 * Shows a waited-for task's progress on stderr. On a terminal: a live bar (cli-progress) fed by
 * PROGRESS records whose meta has numeric `current` and `total`. Elsewhere (a pipe, a log file,
 * CI): one plain line per change, since redrawing in place only works on a terminal.
 */
export class ProgressDisplay {
  readonly #stream: NodeJS.WriteStream;
  #bar: cliProgress.SingleBar | undefined;
  #last = '';

  constructor(stream: NodeJS.WriteStream = process.stderr) {
    this.#stream = stream;
  }

  update(record: TaskRecord): void {
    const meta = record.meta;
    const current = meta?.current;
    const total = meta?.total;
    if (typeof current === 'number' && typeof total === 'number' && total > 0 && !isFinal(record)) {
      const status = typeof meta?.status === 'string' ? meta.status : '';
      this.#progress(current, total, status);
    } else if (this.#bar !== undefined) {
      if (record.state === 'SUCCESS') this.#bar.update(this.#bar.getTotal());
    } else if (!isFinal(record)) {
      // The outcome itself is the command's result (or error): not a progress line.
      this.#line(`${record.state}${record.attempt > 1 ? ` (attempt ${record.attempt})` : ''}`);
    }
  }

  /** Ends the bar (leaving it on screen); call once the wait is over. */
  stop(): void {
    this.#bar?.stop();
    this.#bar = undefined;
  }

  #progress(current: number, total: number, status: string): void {
    if (this.#stream.isTTY !== true) {
      this.#line(`progress ${current}/${total} (${Math.floor((current / total) * 100)}%)${status === '' ? '' : ` ${status}`}`);
      return;
    }
    if (this.#bar === undefined) {
      this.#bar = new cliProgress.SingleBar(
        { stream: this.#stream, format: '{bar} {percentage}% | {value}/{total} | {status}', hideCursor: true, clearOnComplete: false, gracefulExit: true },
        cliProgress.Presets.shades_classic,
      );
      this.#bar.start(total, current, { status });
      return;
    }
    this.#bar.setTotal(total);
    this.#bar.update(current, { status });
  }

  /** Plain lines, each written once (a redelivered record or an unchanged report is not repeated). */
  #line(text: string): void {
    if (text === this.#last) return;
    this.#last = text;
    this.#stream.write(`${text}\n`);
  }
}

function isFinal(record: TaskRecord): boolean {
  return record.state === 'SUCCESS' || record.state === 'FAILURE' || record.state === 'REVOKED';
}
