/** A task state as a labelled pill: the text says it, the colour only helps. */
export function StateBadge({ state }: { state: string }) {
  const kind = { SUCCESS: 'ok', FAILURE: 'bad', REVOKED: 'muted', RETRY: 'warn', PENDING: 'idle', RECEIVED: 'idle', STARTED: 'run' }[state] ?? 'run';
  return <span class={`badge badge-${kind}`}>{state}</span>;
}

/** Paused or active, for queues and schedules. */
export function PausedBadge({ paused }: { paused: boolean }) {
  return <span class={`badge ${paused ? 'badge-warn' : 'badge-ok'}`}>{paused ? 'Paused' : 'Active'}</span>;
}
