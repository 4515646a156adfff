import type { TaskStore } from '../contracts/task-store.js';
import type { Logger } from '../context/logger.js';

/**
 * Workers announce the task names they serve, so that producers and waiters can tell "waiting for
 * a busy worker" from "no worker will ever run this". One key per task name in the store's
 * key-value space (`compareAndSet` / `getValue`), holding the last announcing worker and when, with
 * a TTL: any live worker serving the name keeps it, and it lapses ANNOUNCE_TTL_MS after the last
 * one stops (or dies).
 */
export const ANNOUNCE_TTL_MS = 30_000;
/** Each worker re-announces this often: two refreshes may fail before the announcement lapses. */
export const ANNOUNCE_EVERY_MS = 10_000;

export function servingKey(task: string): string {
  return `celeriac:serving:${task}`;
}

/** What an announcement says: who announced it last and when. */
export interface Announcement {
  /** The worker's id (`Worker.id`, as `app.workers.list()` shows it). */
  readonly worker: string;
  readonly at: number;
}

/** The announcement of `task`, or null if no live worker serves it. */
export async function readAnnouncement(store: TaskStore, task: string): Promise<Announcement | null> {
  const raw = await store.getValue(servingKey(task));
  if (raw === null) return null;
  const space = raw.lastIndexOf(' ');
  return { worker: raw.slice(0, space), at: Number(raw.slice(space + 1)) };
}

/**
 * Announces `tasks` now and every ANNOUNCE_EVERY_MS until the returned function is called. The
 * first announcement is awaited (a worker that has started is known to serve its tasks); a failed
 * refresh is logged and tried again at the next tick. Stopping does not remove the announcement:
 * another worker may serve the same names, so it lapses with its TTL instead.
 */
export async function startAnnouncing(store: TaskStore, tasks: readonly string[], worker: string, logger: Logger): Promise<() => void> {
  const announce = async () => {
    await Promise.all(
      tasks.map(async (task) => {
        const key = servingKey(task);
        const current = await store.getValue(key);
        // Another worker refreshing at the same moment wins the compare-and-set: the name is announced either way.
        await store.compareAndSet(key, current, `${worker} ${Date.now()}`, ANNOUNCE_TTL_MS);
      }),
    );
  };
  await announce();
  const timer = setInterval(() => {
    announce().catch((error: unknown) => logger.warn('could not announce the tasks this worker serves; retrying', { worker, error: String(error) }));
  }, ANNOUNCE_EVERY_MS).unref();
  return () => clearInterval(timer);
}

/**
 * Warns, once per task name, when a producer enqueues a name no live worker announces: its tasks
 * would stay PENDING with nothing said. Off the caller's path: one lookup per name, not awaited.
 */
export class UnservedWarnings {
  readonly #checked = new Set<string>();

  constructor(private readonly logger: Logger) {}

  check(store: TaskStore, task: string): void {
    if (this.#checked.has(task)) return;
    this.#checked.add(task);
    readAnnouncement(store, task).then(
      (announcement) => {
        if (announcement === null) {
          this.logger.warn(`no live worker serves task ${task} at the moment: its tasks stay PENDING until a worker that registers it starts`, { task });
        }
      },
      () => undefined, // the store is failing: the enqueue itself says so
    );
  }
}
