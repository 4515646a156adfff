import type { Database } from '@celeriac/sample-support';

/** Wraps a database and records every statement, to check which queries a route runs. */
export function countingDatabase(inner: Database): Database & { statements: string[] } {
  const statements: string[] = [];
  return {
    statements,
    query: (sql, params) => {
      statements.push(sql.replace(/\s+/g, ' ').trim());
      return inner.query(sql, params);
    },
    close: () => inner.close(),
  };
}
