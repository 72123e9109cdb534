/**
 * Schema migrations for a SQLite Durable Object: `migrations[i]` takes the schema from
 * version i to i+1. Run from the constructor inside `blockConcurrencyWhile`, so no
 * request sees a half-migrated database; each step commits with its version number, so
 * a step that fails leaves the previous version intact and is retried on the next start.
 */
export type Migration = readonly string[];

export function migrate(storage: DurableObjectStorage, migrations: readonly Migration[]): number {
  const sql = storage.sql;
  sql.exec("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value)");
  let version = Number(
    sql.exec<{ value: number }>("SELECT value FROM meta WHERE key = 'version'").toArray()[0]
      ?.value ?? 0,
  );
  while (version < migrations.length) {
    const step = migrations[version] as Migration;
    const next = version + 1;
    storage.transactionSync(() => {
      for (const statement of step) sql.exec(statement);
      sql.exec("INSERT OR REPLACE INTO meta (key, value) VALUES ('version', ?)", next);
    });
    version = next;
  }
  return version;
}

/** A number kept in the meta table (clocks, counters). */
export function metaNumber(sql: SqlStorage, key: string): number | undefined {
  const row = sql.exec<{ value: number }>("SELECT value FROM meta WHERE key = ?", key).toArray()[0];
  return row === undefined || typeof row.value !== "number" ? undefined : row.value;
}

export function metaText(sql: SqlStorage, key: string): string | undefined {
  const row = sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = ?", key).toArray()[0];
  return row === undefined || typeof row.value !== "string" ? undefined : row.value;
}

export function setMeta(sql: SqlStorage, key: string, value: number | string): void {
  sql.exec("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", key, value);
}
