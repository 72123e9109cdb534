import type {
  ExportedDecision,
  ExportedRow,
  ImportReport,
  LedgerExport,
} from "../../contract/backup";
import type { LedgerStore, RecordHooks } from "./store";

/**
 * Export and import of what a deployment cannot rebuild from logs: active decisions, the
 * operator allowlist, bouncers and machines (their hashed credentials). Alerts, ended
 * decisions and counters are history and stay behind. Rows of the credential and
 * allowlist tables travel with every column but their id, so a column added later
 * travels too; an import fills the columns its own schema has.
 */

/** Tables exported whole, and the columns that make a row already present. */
const TABLES = {
  allowlist: ["value"],
  bouncers: ["name", "key_hash"],
  machines: ["name", "token_hash"],
} as const;

type Table = keyof typeof TABLES;

export class LedgerBackup {
  constructor(
    private readonly sql: SqlStorage,
    private readonly store: LedgerStore,
    private readonly hooks: RecordHooks,
    /** Called after allowlist rows were imported (the compiled allowlist is stale). */
    private readonly allowlistChanged: () => void,
  ) {}

  export(now: number): LedgerExport {
    return {
      palisade_export: 1,
      exported_at: new Date(now).toISOString(),
      decisions: this.sql
        .exec<ExportedDecision>(
          `SELECT origin, type, scope, value, scenario, start, until FROM decisions
           WHERE deleted_seq IS NULL AND until > ? ORDER BY id`,
          now,
        )
        .toArray(),
      allowlist: this.rows("allowlist"),
      bouncers: this.rows("bouncers"),
      machines: this.rows("machines"),
    };
  }

  private rows(table: Table): ExportedRow[] {
    return this.sql
      .exec<ExportedRow>(`SELECT * FROM ${table} ORDER BY id`)
      .toArray()
      .map(({ id: _, ...rest }) => rest);
  }

  /** Runs inside the caller's transaction: all of it or nothing. */
  import(doc: LedgerExport, now: number): ImportReport {
    // The allowlist first: an imported decision it covers is ended as allowlisted.
    const allowlist = this.importRows("allowlist", doc.allowlist);
    if (allowlist.imported > 0) this.allowlistChanged();
    return {
      decisions: this.store.logged(() => this.importDecisions(doc.decisions, now)),
      allowlist,
      bouncers: this.importRows("bouncers", doc.bouncers),
      machines: this.importRows("machines", doc.machines),
    };
  }

  private importDecisions(list: readonly ExportedDecision[], now: number) {
    let imported = 0;
    let skipped = 0;
    for (const d of list) {
      const live = this.sql
        .exec(
          `SELECT 1 FROM decisions WHERE deleted_seq IS NULL AND value = ? AND type = ?
             AND scope = ? AND origin = ? AND until >= ?`,
          d.value,
          d.type,
          d.scope,
          d.origin,
          d.until,
        )
        .toArray();
      if (d.until <= now || live.length > 0) {
        skipped++;
        continue;
      }
      const ref = `import:${crypto.randomUUID()}`;
      this.store.record({ ref, alert: null, decisions: [d] }, now, this.hooks);
      imported++;
    }
    return { imported, skipped };
  }

  private importRows(table: Table, rows: readonly ExportedRow[]) {
    const columns = new Set(
      this.sql
        .exec<{ name: string }>(`SELECT name FROM pragma_table_info('${table}')`)
        .toArray()
        .map((c) => c.name)
        .filter((c) => c !== "id"),
    );
    let imported = 0;
    let skipped = 0;
    for (const row of rows) {
      const keys = Object.keys(row).filter((k) => columns.has(k));
      const taken = TABLES[table].some(
        (k) =>
          row[k] !== undefined &&
          this.sql.exec(`SELECT 1 FROM ${table} WHERE ${k} = ?`, row[k]).toArray().length > 0,
      );
      if (taken || keys.length === 0) {
        skipped++;
        continue;
      }
      this.sql.exec(
        `INSERT INTO ${table} (${keys.join(", ")}) VALUES (${keys.map(() => "?").join(", ")})`,
        ...keys.map((k) => row[k] as string | number | null),
      );
      imported++;
    }
    return { imported, skipped };
  }
}
