import { type ApplyResult, type StartedDelivery, type TaskMessage } from '@celeriac/core/adapter';
import { TaskStates } from '@celeriac/core';
import { type PendingUpdate, sourcesArg, workerFragment } from './record-codec.js';
import { replyArray } from './reply.js';
import type { StartOnReserve } from './reserver.js';
import type { TaskRecords } from './task-records.js';

/**
 * How a reserve stores STARTED for what it takes, in the same script call: the record arguments
 * it sends, how it reads the reply, and how a reserve whose caller gave up undoes it (the records
 * go back to PENDING, as with a worker's own hand-back, so a task waiting again never reads as
 * started).
 */
export function startOnReserve(records: TaskRecords, markPending: (message: TaskMessage) => Promise<unknown>): StartOnReserve {
  const startedSources = sourcesArg(TaskStates.STARTED) as string;
  return {
    args: (worker) => [...records.recordHeader(), startedSources, workerFragment(worker)],
    results: (taken, reply, worker) => records.results(...startedResults(taken, reply, startedSources, worker)),
    undo: async (deliveries: readonly StartedDelivery[]) => {
      await Promise.all(deliveries.filter((d) => d.started.applied).map((d) => markPending(d.message)));
    },
  };
}

/**
 * The reserve's STARTED reply (see reserveJobs-9.lua) as an applyUpdates batch and reply. A stored
 * STARTED kept the record's task and used the message's attempt: both come back in the reply. An
 * implied one (seq -2, no extras) is seq 2 with the message's task and attempt.
 */
function startedResults(taken: readonly { id: string; message: TaskMessage | undefined }[], reply: unknown, sources: string, worker: string | undefined): [PendingUpdate[], unknown[]] {
  const named = worker === undefined ? {} : { worker };
  const seqs = [...replyArray(reply, 'reserveJobs')];
  // { now } alone: every STARTED was implied, each a -2 (see reserveJobs-9.lua).
  const allImplied = seqs.length === 1;
  const batch = taken.map(({ id, message }, j): PendingUpdate => {
    if (!allImplied && seqs[j + 1] !== -2) return { update: { id, state: TaskStates.STARTED, ...named }, sources };
    seqs[j + 1] = 2;
    // An undecodable message is dead-lettered, and its result never used.
    return { update: { id, state: TaskStates.STARTED, task: message?.task ?? '', attempt: message?.attempt ?? 1, ...named }, sources };
  });
  return [batch, seqs];
}

/** STARTED results for deliveries an enqueue handed to a parked reserve: every STARTED implied (the reply is `{ now }`). */
export function impliedStarts(start: StartOnReserve, messages: readonly TaskMessage[], now: unknown, worker: string | undefined): ApplyResult[] {
  return start.results(
    messages.map((message) => ({ id: message.id, message })),
    [now],
    worker,
  );
}
