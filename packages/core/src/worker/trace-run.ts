import type { StartedDelivery } from '../contracts/broker.js';
import type { ProcessTrace, TaskTracing } from '../contracts/tracing.js';

/** What a traced run keeps: its process span, which its writes report to. */
export interface TracedRun {
  readonly delivery: StartedDelivery;
  trace: ProcessTrace | undefined;
}

/**
 * Runs `run` inside the process span of `entry`'s message (`CeleriacOptions.tracing`); without a
 * tracer, just runs it. The run reports a storage failure itself (`trace.end(error)`); only the
 * first `end` counts.
 */
export function runTraced(tracing: TaskTracing | undefined, entry: TracedRun, worker: string, run: () => Promise<void>): Promise<void> {
  if (tracing === undefined) return run();
  const trace = tracing.process(entry.delivery.message, worker);
  entry.trace = trace;
  return trace.within(run).then(() => trace.end());
}
