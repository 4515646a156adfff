/** Previous / next for a list read by pages; `next` is the next page's offset, or null on the last. */
export function Pager({ offset, limit, shown, next, onPage, label }: { offset: number; limit: number; shown: number; next: number | null; onPage: (offset: number) => void; label: string }) {
  return (
    <nav class="pager" aria-label={`${label} pages`}>
      <span aria-live="polite">{shown === 0 ? 'None' : `${offset + 1}–${offset + shown}`}</span>
      <button type="button" disabled={offset === 0} onClick={() => onPage(Math.max(0, offset - limit))}>
        Previous
      </button>
      <button type="button" disabled={next === null} onClick={() => next !== null && onPage(next)}>
        Next
      </button>
    </nav>
  );
}
