import type { CommonsSharing, CommonsStatus } from "../../contract/commons-member";
import { DECISION_ORIGINS } from "../../core/decision";
import { iso } from "./bouncers";

/** The membership row (table `commons_member`, one row) as the Ledger keeps it. */
export type MemberRow = {
  url: string;
  machine_id: string;
  password: string;
  name: string;
  token: string | null;
  token_until: number | null;
  enrolled_at: number;
  settings: string;
  cursor: number | null;
  last_push: number | null;
  last_pull: number | null;
  signals_shared: number;
  last_error: string | null;
  last_error_at: number | null;
};

/** CrowdSec console's defaults: alerts shared, manual decisions and context not. */
export const DEFAULT_SHARING: CommonsSharing = { alerts: true, manual: false, context: false };

export const CAPI = DECISION_ORIGINS.community;

/** The membership of a commons: credentials, settings, cursor and what the status shows. */
export class MemberStore {
  constructor(private readonly sql: SqlStorage) {}

  row(): MemberRow | undefined {
    return this.sql.exec<MemberRow>("SELECT * FROM commons_member WHERE id = 1").toArray()[0];
  }

  sharing(row = this.row()): CommonsSharing {
    if (!row) return DEFAULT_SHARING;
    return { ...DEFAULT_SHARING, ...(JSON.parse(row.settings) as Partial<CommonsSharing>) };
  }

  /** Something is shared: CrowdSec sends the community list only to engines that share. */
  pulling(row = this.row()): boolean {
    if (!row) return false;
    const s = this.sharing(row);
    return s.alerts || s.manual;
  }

  /** Replaces any earlier membership (another commons): its cursor and outbox go with it. */
  join(m: Pick<MemberRow, "url" | "machine_id" | "password" | "name">, now: number): void {
    const settings = JSON.stringify(this.row() ? this.sharing() : DEFAULT_SHARING);
    this.sql.exec("DELETE FROM commons_member");
    this.sql.exec("DELETE FROM commons_outbox");
    this.sql.exec("DELETE FROM commons_suppressed");
    this.sql.exec(
      `INSERT INTO commons_member (id, url, machine_id, password, name, enrolled_at, settings)
       VALUES (1, ?, ?, ?, ?, ?, ?)`,
      m.url,
      m.machine_id,
      m.password,
      m.name,
      now,
      settings,
    );
  }

  setSharing(s: CommonsSharing): void {
    this.sql.exec("UPDATE commons_member SET settings = ? WHERE id = 1", JSON.stringify(s));
  }

  setToken(token: string | null, until: number | null): void {
    this.sql.exec(
      "UPDATE commons_member SET token = ?, token_until = ? WHERE id = 1",
      token,
      until,
    );
  }

  pushed(n: number, now: number): void {
    this.sql.exec(
      `UPDATE commons_member SET last_push = ?, signals_shared = signals_shared + ?,
         last_error = NULL, last_error_at = NULL WHERE id = 1`,
      now,
      n,
    );
  }

  pulled(cursor: number | null, now: number): void {
    this.sql.exec(
      `UPDATE commons_member SET last_pull = ?, cursor = ?, last_error = NULL,
         last_error_at = NULL WHERE id = 1`,
      now,
      cursor,
    );
  }

  failed(message: string, now: number): void {
    this.sql.exec(
      "UPDATE commons_member SET last_error = ?, last_error_at = ? WHERE id = 1",
      message.slice(0, 1_000),
      now,
    );
  }

  status(now: number): CommonsStatus {
    const row = this.row();
    const count = (q: string) => this.sql.exec<{ n: number }>(q).one().n;
    const sharing = this.sharing(row);
    const at = (t: number | null | undefined) => (t == null ? null : iso(t));
    return {
      joined: row !== undefined,
      url: row?.url ?? null,
      machine_id: row?.machine_id ?? null,
      name: row?.name ?? null,
      enrolled_at: at(row?.enrolled_at),
      sharing,
      pulling: this.pulling(row),
      last_push: at(row?.last_push),
      last_pull: at(row?.last_pull),
      signals_shared: row?.signals_shared ?? 0,
      signals_pending: count("SELECT COUNT(*) AS n FROM commons_outbox"),
      list_size: this.sql
        .exec<{ n: number }>(
          `SELECT COUNT(*) AS n FROM decisions WHERE origin = ? AND deleted_seq IS NULL
             AND until > ? AND parent_id IS NULL`,
          CAPI,
          now,
        )
        .one().n,
      suppressed: count("SELECT COUNT(*) AS n FROM commons_suppressed"),
      cursor: row?.cursor ?? null,
      last_error: row?.last_error ?? null,
      last_error_at: at(row?.last_error_at),
    };
  }
}
