import type { ComponentChildren } from 'preact';

export interface Column {
  label: string;
  /** A number column: right-aligned. */
  num?: boolean;
  /** Named for screen readers only (a column of buttons). */
  hidden?: boolean;
}

/** A table with header cells and a caption for screen readers; its rows are the children. */
export function DataTable({ caption, columns, className, children }: { caption: string; columns: readonly Column[]; className?: string; children: ComponentChildren }) {
  return (
    <table class={className}>
      <caption class="visually-hidden">{caption}</caption>
      <thead>
        <tr>
          {columns.map((c) => (
            <th key={c.label} scope="col" class={c.num === true ? 'num' : undefined}>
              {c.hidden === true ? <span class="visually-hidden">{c.label}</span> : c.label}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>{children}</tbody>
    </table>
  );
}

/** One row across every column, for "loading" and "nothing here". */
export function EmptyRow({ columns, children }: { columns: number; children: ComponentChildren }) {
  return (
    <tr>
      <td colSpan={columns} class="empty">
        {children}
      </td>
    </tr>
  );
}
