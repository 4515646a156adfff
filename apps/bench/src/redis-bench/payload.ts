/**
 * What the benchmark's tasks carry: `noop` is an index and returns null; `1kb` takes and returns
 * about a kilobyte of JSON shaped like an app's data (an order with its lines), not one long string
 * that compresses or serializes unusually fast.
 */
export type PayloadKind = 'noop' | '1kb';

export interface Order {
  id: number;
  customer: { id: string; name: string; email: string; tier: string };
  lines: { sku: string; title: string; quantity: number; price: number }[];
  notes: string;
}

export function order(i: number): Order {
  return {
    id: i,
    customer: { id: `cus_${(i * 7919).toString(36).padStart(8, '0')}`, name: 'Ada Lovelace', email: `ada+${i}@example.com`, tier: 'gold' },
    lines: Array.from({ length: 10 }, (_, n) => ({ sku: `SKU-${1000 + n}`, title: `Notebook, ruled, A5, ${80 + n} pages`, quantity: 1 + (n % 3), price: 4.5 + n })),
    notes: 'Leave at the door; ring twice. Gift wrap the notebooks separately, please.',
  };
}

/** The task's result for an order: about a kilobyte as well. */
export function invoice(o: Order): { order: number; total: number; lines: { sku: string; title: string; amount: number; tax: number }[]; issuedTo: Order['customer'] } {
  const lines = o.lines.map((l) => ({ sku: l.sku, title: l.title, amount: l.quantity * l.price, tax: Math.round(l.quantity * l.price * 20) / 100 }));
  return { order: o.id, total: lines.reduce((sum, l) => sum + l.amount + l.tax, 0), lines, issuedTo: o.customer };
}

/** The argument of task `i` for a kind. */
export function argument(kind: PayloadKind, i: number): number | Order {
  return kind === 'noop' ? i : order(i);
}
