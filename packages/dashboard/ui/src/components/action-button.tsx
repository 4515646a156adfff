import { useRef, useState } from 'preact/hooks';
import type { ActionResult } from '../../../src/wire-types.js';
import { runAction } from '../api.js';
import { useConfig } from '../config.js';
import { notify } from './notices.js';

export interface Confirmation {
  /** The question, e.g. "Purge queue emails?" */
  title: string;
  /** What it will do, e.g. "Its 12 waiting tasks are deleted and will not run." */
  body: string;
}

/**
 * A button that runs an action of the API and says what it did. With `confirm`, it first asks in
 * a modal dialog (Escape or Cancel, focused first, leave everything as it was). Hidden in
 * read-only mode, where the server refuses actions anyway.
 */
export function ActionButton({
  path,
  label,
  confirm,
  danger,
  primary,
  onDone,
}: {
  path: string;
  label: string;
  confirm?: Confirmation;
  danger?: boolean;
  primary?: boolean;
  onDone?: (result: ActionResult) => void;
}) {
  const { readOnly } = useConfig();
  const dialog = useRef<HTMLDialogElement>(null);
  const [busy, setBusy] = useState(false);
  if (readOnly) return null;

  const run = async () => {
    setBusy(true);
    try {
      const result = await runAction(path);
      notify(result.message);
      onDone?.(result);
    } catch (error) {
      notify(error instanceof Error ? error.message : String(error), true);
    } finally {
      setBusy(false);
    }
  };
  const open = () => {
    const shown = dialog.current;
    if (shown === null) return;
    // Escape closes without a submit: only the Confirm button may leave 'confirm' here.
    shown.returnValue = '';
    shown.showModal();
  };
  const className = danger === true ? 'button button-danger' : primary === true ? 'button button-primary' : 'button';
  if (confirm === undefined) {
    return (
      <button type="button" class={className} disabled={busy} onClick={() => void run()}>
        {label}
      </button>
    );
  }
  return (
    <>
      <button type="button" class={className} disabled={busy} aria-haspopup="dialog" onClick={open}>
        {label}
      </button>
      <dialog ref={dialog} class="confirm" aria-labelledby={`${path}-title`} onClose={(event) => (event.currentTarget as HTMLDialogElement).returnValue === 'confirm' && void run()}>
        <form method="dialog">
          <h2 id={`${path}-title`}>{confirm.title}</h2>
          <p>{confirm.body}</p>
          <div class="actions">
            <button type="submit" value="cancel" class="button" autofocus>
              Cancel
            </button>
            <button type="submit" value="confirm" class={className}>
              {label}
            </button>
          </div>
        </form>
      </dialog>
    </>
  );
}
