import { type TaskRecord, isTerminal } from '@celeriac/core';
import { fromCeleryMeta } from '../protocol/result-meta.js';

/** Ids whose foreign numbering is remembered, oldest dropped first. */
const REMEMBERED = 10_000;

/**
 * Numbers the records Celery writes, which carry no `seq`: in the order this process sees them,
 * one more than the last record it saw of that id (a Celeriac one included). A record seen again
 * keeps its number, and a non-final record seen after a final one is older than it (a final
 * state is never left): it gets the final one's number, which every reader drops as not newer.
 */
export class ForeignSeq {
  readonly #last = new Map<string, { raw: string; record: TaskRecord }>();

  /** Whether Celeriac wrote this meta (it carries a seq). */
  isOwn(raw: string): boolean {
    return raw.startsWith('{"celeriac":{"seq":');
  }

  number(id: string, raw: string, parsed: unknown): TaskRecord {
    const decoded = fromCeleryMeta(id, parsed);
    const last = this.#last.get(id);
    if (last?.raw === raw) return last.record;
    if (decoded.seq !== undefined) {
      const record = { ...decoded, seq: decoded.seq };
      this.remember(id, raw, record);
      return record;
    }
    if (last !== undefined && isTerminal(last.record.state) && !isTerminal(decoded.state)) return last.record;
    // Unseen before: after the PENDING (seq 1) a Celeriac producer stores, which Celery never overwrites first.
    const record = { ...decoded, task: decoded.task || (last?.record.task ?? ''), seq: (last?.record.seq ?? 1) + 1 };
    this.remember(id, raw, record);
    return record;
  }

  /** A record read or written here; an older one than the last remembered is not kept. */
  remember(id: string, raw: string, record: TaskRecord): void {
    const last = this.#last.get(id);
    if (last !== undefined && last.record.seq > record.seq) return;
    this.#last.delete(id);
    this.#last.set(id, { raw, record });
    if (this.#last.size > REMEMBERED) this.#last.delete(this.#last.keys().next().value as string);
  }

  forget(id: string): void {
    this.#last.delete(id);
  }

}
