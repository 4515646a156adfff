import type { QueueInfo } from '../../../src/wire-types.js';
import { count, duration } from '../format.js';
import { href } from '../router.js';
import { type Column, DataTable, EmptyRow } from './data-table.js';
import { PausedBadge } from './state-badge.js';

const COLUMNS: Column[] = [
  { label: 'Queue' },
  { label: 'Waiting', num: true },
  { label: 'Delayed', num: true },
  { label: 'Running', num: true },
  { label: 'Oldest waiting', num: true },
  { label: 'Status' },
];

/** The queues with their counts and the age of the oldest waiting task. */
export function QueueTable({ queues, now }: { queues: readonly QueueInfo[]; now: number }) {
  return (
    <DataTable caption="Queues" columns={COLUMNS}>
      {queues.length === 0 ? (
        <EmptyRow columns={COLUMNS.length}>No queue yet: queues appear once a task is sent to them.</EmptyRow>
      ) : (
        queues.map((q) => (
          <tr key={q.name} data-queue={q.name}>
            <th scope="row">
              <a href={href('queues', q.name)}>{q.name}</a>
            </th>
            <td class="num" data-count="waiting">
              {count(q.waiting)}
            </td>
            <td class="num" data-count="delayed">
              {count(q.delayed)}
            </td>
            <td class="num" data-count="running">
              {count(q.running)}
            </td>
            <td class="num">{q.oldestWaitingAt === null ? '–' : duration(now - q.oldestWaitingAt)}</td>
            <td>
              <PausedBadge paused={q.paused} />
            </td>
          </tr>
        ))
      )}
    </DataTable>
  );
}
