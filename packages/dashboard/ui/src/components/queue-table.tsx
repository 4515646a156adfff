import type { QueueInfo } from '../../../src/wire-types.js';
import { count, duration } from '../format.js';
import { href } from '../router.js';
import { PausedBadge } from './state-badge.js';

/** The queues with their counts and the age of the oldest waiting task. */
export function QueueTable({ queues, now }: { queues: readonly QueueInfo[]; now: number }) {
  return (
    <table>
      <caption class="visually-hidden">Queues</caption>
      <thead>
        <tr>
          <th scope="col">Queue</th>
          <th scope="col" class="num">Waiting</th>
          <th scope="col" class="num">Delayed</th>
          <th scope="col" class="num">Running</th>
          <th scope="col" class="num">Oldest waiting</th>
          <th scope="col">Status</th>
        </tr>
      </thead>
      <tbody>
        {queues.length === 0 ? (
          <tr>
            <td colSpan={6} class="empty">
              No queue yet: queues appear once a task is sent to them.
            </td>
          </tr>
        ) : (
          queues.map((q) => (
            <tr key={q.name} data-queue={q.name}>
              <th scope="row">
                <a href={href('queues', q.name)}>{q.name}</a>
              </th>
              <td class="num" data-count="waiting">{count(q.waiting)}</td>
              <td class="num" data-count="delayed">{count(q.delayed)}</td>
              <td class="num" data-count="running">{count(q.running)}</td>
              <td class="num">{q.oldestWaitingAt === null ? '–' : duration(now - q.oldestWaitingAt)}</td>
              <td>
                <PausedBadge paused={q.paused} />
              </td>
            </tr>
          ))
        )}
      </tbody>
    </table>
  );
}
