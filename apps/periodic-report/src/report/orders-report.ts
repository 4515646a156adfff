import { performance } from 'node:perf_hooks';
import type { Database } from '@celeriac/sample-support';

/** The name under which the snapshot is stored. */
export const REPORT_NAME = 'orders-by-region';

export interface RegionFigures {
  orders: number;
  revenue: number;
  averageAmount: number | null;
}

export interface OrdersReport {
  totals: RegionFigures & { latestOrderAt: string | null };
  byRegion: Array<RegionFigures & { region: string }>;
}

export interface ComputedReport {
  data: OrdersReport;
  /** The database's clock when the query ran: the moment the figures describe. */
  computedAt: Date;
  durationMs: number;
}

interface AggregateRow {
  region: string | null;
  is_total: boolean;
  orders: number;
  revenue: number;
  average_amount: number | null;
  latest_order_at: Date | null;
  snapshot_at: Date;
}

/**
 * The slow query the seed wants off the request path: a full scan and aggregate of a table that
 * keeps growing. GROUPING SETS gives per-region rows and the grand total in one pass. Casts to
 * int/float8 make both drivers return plain numbers (pg returns bigint and numeric as strings).
 */
export const AGGREGATE_SQL = `
  SELECT region,
         GROUPING(region) = 1                    AS is_total,
         count(*)::int                           AS orders,
         coalesce(round(sum(amount), 2), 0)::float8 AS revenue,
         round(avg(amount), 2)::float8           AS average_amount,
         max(created_at)                         AS latest_order_at,
         now()                                   AS snapshot_at
    FROM orders
   GROUP BY GROUPING SETS ((region), ())
   ORDER BY is_total, region`;

export async function computeReport(db: Database): Promise<ComputedReport> {
  const started = performance.now();
  const { rows } = await db.query<AggregateRow>(AGGREGATE_SQL);
  const durationMs = Math.round((performance.now() - started) * 1000) / 1000;
  const total = rows.find((r) => r.is_total);
  // An empty table still yields the grand-total row (count 0), so `total` is always there.
  if (total === undefined) throw new Error('the aggregate returned no grand-total row');
  const figures = (r: AggregateRow): RegionFigures => ({ orders: r.orders, revenue: r.revenue, averageAmount: r.average_amount });
  return {
    computedAt: total.snapshot_at,
    durationMs,
    data: {
      totals: { ...figures(total), latestOrderAt: total.latest_order_at?.toISOString() ?? null },
      byRegion: rows.filter((r) => !r.is_total).map((r) => ({ region: r.region ?? '', ...figures(r) })),
    },
  };
}
