import { type ContentBundle, contentBundleSchema, EMPTY_BUNDLE } from "../../contract/content";
import type { Migration } from "../migrate";

/**
 * Runtime detection content (issue 14): one row per content version holding the whole
 * operator bundle (scenarios, parsers, profiles, data files, disabled and simulated
 * names). Version 0 is the empty bundle (the built-in pack alone). A change or a rollback
 * adds a version; nothing is edited in place, so the history is the table.
 *
 * Ledger schema version 9, after the commons membership (8).
 */
export const LEDGER_CONTENT: Migration = [
  `CREATE TABLE content_versions (version INTEGER PRIMARY KEY, at INTEGER NOT NULL,
     action TEXT NOT NULL, bundle TEXT NOT NULL)`,
];

export interface ContentAt {
  version: number;
  bundle: ContentBundle;
}

// A type, not an interface: SqlStorage rows must be indexable records.
export type ContentVersionRow = {
  version: number;
  at: number;
  action: string;
};

/** A commit prepared against `base` when the current version is another: retry on it. */
export type CommitResult = { ok: true; version: number } | { ok: false; current: number };

export class ContentStore {
  constructor(private readonly sql: SqlStorage) {}

  current(): number {
    const row = this.sql
      .exec<{ v: number | null }>("SELECT MAX(version) AS v FROM content_versions")
      .one();
    return row.v ?? 0;
  }

  /** The bundle of `version` (0: empty), or undefined when there is no such version. */
  at(version: number): ContentAt | undefined {
    if (version === 0) return { version, bundle: structuredClone(EMPTY_BUNDLE) };
    const row = this.sql
      .exec<{ bundle: string }>("SELECT bundle FROM content_versions WHERE version = ?", version)
      .toArray()[0];
    if (!row) return undefined;
    // Written by commit() from a checked bundle; a row that no longer reads is a bug.
    return { version, bundle: contentBundleSchema.parse(JSON.parse(row.bundle)) };
  }

  commit(base: number, action: string, bundle: ContentBundle, now: number): CommitResult {
    const current = this.current();
    if (current !== base) return { ok: false, current };
    const version = current + 1;
    this.sql.exec(
      "INSERT INTO content_versions (version, at, action, bundle) VALUES (?, ?, ?, ?)",
      version,
      now,
      action,
      JSON.stringify(bundle),
    );
    return { ok: true, version };
  }

  history(limit: number): ContentVersionRow[] {
    return this.sql
      .exec<ContentVersionRow>(
        "SELECT version, at, action FROM content_versions ORDER BY version DESC LIMIT ?",
        limit,
      )
      .toArray();
  }
}
