import { pretty } from '../format.js';

/** A JSON value (or a JSON string, parsed) for reading, in a scrollable block. */
export function JsonBlock({ value, label }: { value: unknown; label: string }) {
  return (
    <pre class="code" tabIndex={0} aria-label={label}>
      {pretty(value)}
    </pre>
  );
}
