import { useEffect, useState } from 'preact/hooks';

export interface Notice {
  readonly id: number;
  readonly text: string;
  readonly error: boolean;
}

const listeners = new Set<(notices: Notice[]) => void>();
let notices: Notice[] = [];
let next = 1;

/** Tells the user what an action did (or why it failed), in a live region screen readers announce. */
export function notify(text: string, error = false): void {
  const notice = { id: next++, text, error };
  notices = [...notices.slice(-3), notice];
  for (const listener of listeners) listener(notices);
  setTimeout(() => dismiss(notice.id), error ? 12_000 : 6_000);
}

function dismiss(id: number): void {
  notices = notices.filter((n) => n.id !== id);
  for (const listener of listeners) listener(notices);
}

export function Notices() {
  const [shown, setShown] = useState(notices);
  useEffect(() => {
    listeners.add(setShown);
    return () => void listeners.delete(setShown);
  }, []);
  return (
    <div class="notices" role="status" aria-live="polite">
      {shown.map((n) => (
        <p key={n.id} class={n.error ? 'notice notice-error' : 'notice'}>
          {n.text}
          <button type="button" class="link" aria-label="Dismiss" onClick={() => dismiss(n.id)}>
            ×
          </button>
        </p>
      ))}
    </div>
  );
}
