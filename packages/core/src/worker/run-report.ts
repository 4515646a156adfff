import type { StartedDelivery } from '../contracts/broker.js';
import type { TaskMessage } from '../contracts/message.js';
import type { ApplyResult, StateUpdate } from '../contracts/record.js';
import type { TaskStore } from '../contracts/task-store.js';
import type { RunReport } from './execute-task.js';

/** What a run's writes need to know of it (the worker's `Running` entry). */
export interface ReportedRun {
  readonly delivery: StartedDelivery;
  /** Handed back at shutdown: the delivery is no longer this run's. */
  handedBack: boolean;
  /** A write was refused for a lost lease: the run stores nothing more. */
  lost: boolean;
}

/** What the worker does around a run's writes. */
export interface RunHooks<R extends ReportedRun> {
  /** The run is over and its outcome sent: its slot goes to the next task. */
  freeSlot(run: R): void;
  /** A write was refused for a lost lease. */
  leaseLost(run: R): void;
  /** A state of the run was sent to the store (`stored` resolves with the store's answer): counts and events. */
  wrote(run: R, update: StateUpdate, stored: Promise<ApplyResult>): void;
  /** The run's message was sent to the dead-letter queue. */
  deadLettered(run: R, reason: string): void;
}

/**
 * How a run writes: every write carries its delivery, so the store refuses it once the lease is
 * lost (fencing, across processes). Once the delivery is handed back at shutdown, or a write was
 * refused for a lost lease, the delivery is no longer this run's: nothing more of it is sent to
 * the store (the task runs again elsewhere), and the worker aborts its signal.
 */
export function bindRunReport<R extends ReportedRun>(store: TaskStore, run: R, hooks: RunHooks<R>): RunReport {
  const { delivery } = run;
  const fenced = (result: ApplyResult): ApplyResult => {
    if (!result.applied && result.leaseLost === true) hooks.leaseLost(run);
    return result;
  };
  return {
    started: delivery.started,
    apply: async (update: StateUpdate): Promise<ApplyResult> => {
      if (run.handedBack || run.lost) return refusedByHandBack(store, update);
      const stored = store.apply(update, delivery);
      hooks.wrote(run, update, stored);
      return fenced(await stored);
    },
    settle: (update: StateUpdate, next?: TaskMessage): Promise<ApplyResult> => {
      if (run.handedBack || run.lost) return refusedByHandBack(store, update);
      // A settle refused for a lost lease needs no abort: the run is over. No extra promise step
      // here either: this runs for every task.
      const settled = store.settle(delivery, update, next);
      hooks.freeSlot(run);
      hooks.wrote(run, update, settled);
      return settled;
    },
    ack: async () => {
      if (!run.handedBack && !run.lost) await store.ack(delivery);
    },
    deadLetter: async (reason: string) => {
      if (run.handedBack || run.lost) return;
      await store.deadLetter(delivery, reason);
      hooks.deadLettered(run, reason);
    },
  };
}

/** The write of a run that lost its delivery (handed back, or its lease lost), not sent: what the record holds now instead. */
async function refusedByHandBack(store: TaskStore, update: StateUpdate): Promise<ApplyResult> {
  return { applied: false, current: await store.get(update.id), leaseLost: true };
}
