import type { DeadLetterList } from '../../../src/wire-types.js';
import { ActionButton } from '../components/action-button.js';
import { type Column, DataTable } from '../components/data-table.js';
import { JsonBlock } from '../components/json-block.js';
import { Pager } from '../components/pager.js';
import { dateTime, relative, useNow } from '../format.js';
import { useLive } from '../live.js';
import { type Route, href, navigate } from '../router.js';

const LIMIT = 25;
const COLUMNS: Column[] = [{ label: 'Id' }, { label: 'Queue' }, { label: 'Reason' }, { label: 'Dead since' }, { label: 'Message' }, { label: 'Actions', hidden: true }];

/** The dead-letter queue, oldest first: reason and message of each; requeue or delete one, purge all. */
export function DeadLettersPage({ route }: { route: Route }) {
  const offset = Math.max(0, Number(route.query.get('offset') ?? 0) || 0);
  const key = `dead-letters?offset=${offset}&limit=${LIMIT}`;
  const list = useLive([key])[key] as DeadLetterList | undefined;
  const now = useNow();
  return (
    <>
      <div class="page-head">
        <h1 tabIndex={-1}>Dead letters</h1>
        {list === undefined || list.letters.length === 0 ? null : (
          <div class="actions">
            <ActionButton
              path="dead-letters/purge"
              label="Purge all"
              danger
              confirm={{ title: 'Purge every dead letter?', body: 'Every letter in the dead-letter queue is deleted; none of them will run.' }}
            />
          </div>
        )}
      </div>
      <p class="note">
        Messages that could not run: malformed, delivered too often, an id already in use, or a last failure of a task with deadLetter on. A requeued letter runs again as a new attempt.
      </p>
      {list === undefined ? (
        <p class="empty">Loading…</p>
      ) : list.letters.length === 0 && offset === 0 ? (
        <p class="empty">The dead-letter queue is empty.</p>
      ) : (
        <div class="panel">
          <DataTable className="letters" caption="Dead letters, oldest first" columns={COLUMNS}>
            {list.letters.map((letter) => (
              <tr key={letter.id} data-letter={letter.id}>
                <td class="mono">
                  <a href={href('tasks', letter.id)}>{letter.id}</a>
                </td>
                <td>{letter.queue}</td>
                <td class="reason">{letter.reason}</td>
                <td>
                  <time dateTime={new Date(letter.deadAt).toISOString()} title={dateTime(letter.deadAt)}>
                    {relative(letter.deadAt, now)}
                  </time>
                </td>
                <td>
                  <details>
                    <summary>Show message</summary>
                    <JsonBlock value={letter.raw} label={`Message of ${letter.id}`} />
                  </details>
                </td>
                <td>
                  <div class="actions">
                    <ActionButton path={`dead-letters/${encodeURIComponent(letter.id)}/requeue`} label="Requeue" primary />
                    <ActionButton
                      path={`dead-letters/${encodeURIComponent(letter.id)}/purge`}
                      label="Delete"
                      danger
                      confirm={{ title: `Delete dead letter ${letter.id}?`, body: 'The message is deleted and will not run.' }}
                    />
                  </div>
                </td>
              </tr>
            ))}
          </DataTable>
          <Pager label="Dead letter" offset={offset} limit={LIMIT} shown={list.letters.length} next={list.next} onPage={(o) => navigate(href('dead-letters', { offset: o || undefined }))} />
        </div>
      )}
    </>
  );
}
