import type { TaskUpdate } from '../../events.js';

/** One `follow()` call waiting on a task. */
export interface Watcher {
  readonly onUpdate: ((update: TaskUpdate) => void) | undefined;
  readonly resolve: (update: TaskUpdate) => void;
  readonly reject: (error: unknown) => void;
  /** Removes the abort listener. */
  readonly dispose: () => void;
}

/** What the subscriber knows of one task: the newest update applied, and who waits on it. */
export class TrackedTask {
  latest: TaskUpdate | undefined;
  /** The subscribe request whose acknowledgement is still due, so a timeout only fails its own. */
  request: object | undefined;
  readonly watchers = new Set<Watcher>();

  constructor(readonly id: string) {}

  /**
   * Keeps `update` if it is newer than what was applied. Updates race acknowledgements (and old
   * connections race new ones), so `seq` alone decides: never go back to an older state.
   */
  accept(update: TaskUpdate): boolean {
    if (this.latest !== undefined && update.seq <= this.latest.seq) return false;
    this.latest = update;
    return true;
  }
}
