import type { AsyncResult, TaskRecord } from '@celeriac/core';

/** Prints a task's progress in the terminal, one line per step, then its result. */
export async function logProgress(result: AsyncResult<unknown>, write: (line: string) => void = (line) => console.log(line)): Promise<void> {
  const short = result.id.slice(0, 8);
  for await (const record of result.updates()) write(`  ${short} ${describe(record)}`);
}

function describe(record: TaskRecord): string {
  const meta = record.meta as { current?: number; total?: number; status?: string } | undefined;
  if (record.state === 'PROGRESS' && meta?.total !== undefined) {
    const done = (meta.current ?? 0) + 1;
    const width = 24;
    const filled = Math.round((done / meta.total) * width);
    return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(done).padStart(2)}/${meta.total} ${meta.status ?? ''}`;
  }
  if (record.state === 'SUCCESS') return `SUCCESS  Result: ${JSON.stringify((record.result as { result?: unknown } | undefined)?.result ?? record.result)}`;
  if (record.state === 'FAILURE') return `FAILURE  ${record.error?.type}: ${record.error?.message}`;
  return record.state;
}
