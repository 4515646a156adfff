import type { TaskStore } from '../contracts/task-store.js';

/**
 * A schedule's state in the store, one key (`compareAndSet` / `getValue`): the last run time the
 * schedulers handled (enqueued, or skipped as missed), and whether it is paused, as
 * `"<ms>"` or `"<ms> paused"`. One key, so pausing and a scheduler advancing the clock are both
 * compare-and-sets of it: whichever comes second sees the other's change and goes again.
 */
export function scheduleKey(name: string): string {
  return `schedule:${name}`;
}

export interface ScheduleClock {
  last: number;
  paused: boolean;
}

const PAUSED = ' paused';

export function readClock(stored: string): ScheduleClock {
  const paused = stored.endsWith(PAUSED);
  return { last: Number(paused ? stored.slice(0, -PAUSED.length) : stored), paused };
}

export function writeClock(clock: ScheduleClock): string {
  return `${clock.last}${clock.paused ? PAUSED : ''}`;
}

/** Pauses or resumes a schedule: resolves once the stored state says so. */
export async function setPaused(store: TaskStore, name: string, paused: boolean, now: number): Promise<void> {
  const key = scheduleKey(name);
  for (let attempt = 0; attempt < 100; attempt++) {
    const stored = await store.getValue(key);
    const clock = stored === null ? { last: now, paused: false } : readClock(stored);
    if (clock.paused === paused && stored !== null) return;
    if (await store.compareAndSet(key, stored, writeClock({ last: clock.last, paused }))) return;
  }
  throw new Error(`could not ${paused ? 'pause' : 'resume'} schedule ${name}: its state kept changing`);
}
