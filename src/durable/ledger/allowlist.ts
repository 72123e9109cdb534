import type { AllowEntry } from "../../contract/admin-access";
import { type Allowlist, loadAllowlist } from "../../core/allowlist";
import { normalizeCidr } from "../../core/ip";
import { hubFile } from "../../hub/index";
import { setMeta } from "../migrate";
import { iso } from "./bouncers";
import { type IpKey, ipKeyOfText } from "./ipkey";
import type { DecisionInput } from "./records";

/**
 * The operator's allowlist (admin API), on top of the built-in one (src/hub/allowlist.yaml).
 * Where it is honoured:
 * - the Ledger's `record`: a decision it covers is recorded as ended (`allowlisted`), so
 *   nothing Palisade detects, a watcher pushes or a tracker sends reaches KV or a bouncer;
 * - watchers' alerts without decisions: `decide()` sees built-in + operator entries;
 * - the edge: the Ledger publishes the list to KV (`bl:allow:<n>`, named by the manifest's
 *   `allow`), which each isolate reads when the name changes and checks after a hit.
 * Adding an entry lifts the active decisions it covers whole (`Ip` decisions inside it,
 * `Range` decisions inside it); a range decision around an allowlisted address stays in
 * force for its other addresses: the edge lets the allowlisted ones through, and the
 * bouncer stream carves them out (stream-split.ts). Expired entries are removed by the
 * Ledger's alarm.
 */

/** An entry removed, with its address bounds (the ranges around it are carved again). */
export type RemovedEntry = IpKey & { id: number };
type RemovedRow = { id: number; size: 4 | 16; start: string; end: string };

type AllowRow = {
  id: number;
  value: string;
  reason: string;
  created: number;
  expires: number | null;
};

export class AllowStore {
  private own: Allowlist | undefined;
  private withBuiltin: Allowlist | undefined;

  constructor(private readonly sql: SqlStorage) {}

  entries(): AllowEntry[] {
    return this.rows().map(entryOf);
  }

  /** Adds (or updates the reason and expiry of) an entry; the caller lifts `liftable`. */
  add(
    value: string,
    reason: string,
    expires: number | null,
    now: number,
  ): { entry: AllowEntry; key: IpKey; liftable: number[] } | null {
    const cidr = normalizeCidr(value);
    const key = cidr === undefined ? null : ipKeyOfText(cidr);
    if (cidr === undefined || key === null) return null;
    const row = this.sql
      .exec<AllowRow>(
        `INSERT INTO allowlist (value, ip_size, ip_start, ip_end, reason, created, expires)
         VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (value) DO UPDATE SET reason = excluded.reason, expires = excluded.expires
         RETURNING *`,
        cidr,
        key.size,
        key.start,
        key.end,
        reason,
        now,
        expires,
      )
      .one();
    this.changed();
    // Only what the entry covers whole: a range around it stays (the allowlisted part is
    // let through at the edge, and carved out of what bouncers receive).
    const liftable = this.sql
      .exec<{ id: number }>(
        `SELECT id FROM decisions WHERE deleted_seq IS NULL AND ip_size = ? AND ip_start >= ?
           AND ip_end <= ?`,
        key.size,
        key.start,
        key.end,
      )
      .toArray()
      .map((r) => r.id);
    return { entry: entryOf(row), key, liftable };
  }

  /** Removes by id or by value (an IP or CIDR, canonicalised); the entries removed. */
  remove(by: { id: number } | { value: string }): RemovedEntry[] {
    const returning = "RETURNING id, ip_size AS size, ip_start AS start, ip_end AS end";
    const rows =
      "id" in by
        ? this.sql.exec<RemovedRow>(`DELETE FROM allowlist WHERE id = ? ${returning}`, by.id)
        : this.sql.exec<RemovedRow>(
            `DELETE FROM allowlist WHERE value = ? ${returning}`,
            normalizeCidr(by.value) ?? by.value,
          );
    return this.removed(rows.toArray());
  }

  /** Removes the entries whose time is up; the entries removed. */
  expireDue(now: number): RemovedEntry[] {
    const rows = this.sql
      .exec<RemovedRow>(
        "DELETE FROM allowlist WHERE expires <= ? RETURNING id, ip_size AS size, ip_start AS start, ip_end AS end",
        now,
      )
      .toArray();
    return this.removed(rows);
  }

  private removed(rows: RemovedRow[]): RemovedEntry[] {
    if (rows.length > 0) this.changed();
    return rows.map((r) => ({ id: r.id, size: r.size, start: r.start, end: r.end }));
  }

  nextExpiry(): number | undefined {
    const row = this.sql
      .exec<{ at: number | null }>(
        "SELECT MIN(expires) AS at FROM allowlist WHERE expires IS NOT NULL",
      )
      .one();
    return row.at ?? undefined;
  }

  /**
   * `reason (cidr)` of the operator entry covering a decision whole (its address, or
   * every address of its range), if any. A range that merely holds an allowlisted
   * address is not covered: it is decided, and the allowlisted part is let through.
   */
  covering(d: Pick<DecisionInput, "scope" | "value">): string | undefined {
    const s = d.scope.toLowerCase();
    if (s !== "ip" && s !== "range") return undefined;
    const list = this.operator();
    if (list.size === 0) return undefined;
    const hit = s === "ip" ? list.lookupIp(d.value) : list.coveringRange(d.value);
    return hit ? `${hit.reason} (${hit.match})` : undefined;
  }

  /** Built-in and operator entries: what `decide()` uses for a watcher's alert. */
  combined(): Allowlist {
    this.withBuiltin ??= build(this.text(), true);
    return this.withBuiltin;
  }

  /** The operator's entries in Palisade's allowlist format (JSON), as published to KV. */
  text(): string {
    const allowlist = this.rows().map((r) => ({ cidr: r.value, reason: r.reason }));
    return JSON.stringify({ name: "palisade/admin-allowlist", allowlist });
  }

  private operator(): Allowlist {
    this.own ??= build(this.text(), false);
    return this.own;
  }

  private rows(): AllowRow[] {
    return this.sql.exec<AllowRow>("SELECT * FROM allowlist ORDER BY value").toArray();
  }

  /** Rows were written by another hand (an import): recompile and publish. */
  reload(): void {
    this.changed();
  }

  /** Queues the current entries for KV again (an edge could not read the published key). */
  republish(): void {
    setMeta(this.sql, "kv_allow_pending", this.text());
  }

  /** Drops the compiled lists and queues the new text for KV (the writer publishes it). */
  private changed(): void {
    this.own = undefined;
    this.withBuiltin = undefined;
    setMeta(this.sql, "kv_allow_pending", this.text());
  }
}

function entryOf(r: AllowRow): AllowEntry {
  return {
    id: r.id,
    value: r.value,
    reason: r.reason,
    created_at: iso(r.created),
    expires_at: r.expires === null ? null : iso(r.expires),
  };
}

function build(text: string, builtin: boolean): Allowlist {
  const loaded = loadAllowlist(
    [{ path: "ledger/allowlist", text }],
    builtin ? { builtin: hubFile("allowlist.yaml") } : {},
  );
  // Entries are canonical CIDRs written by `add`: failing to load them is a bug.
  if (!loaded.ok) throw new Error(`stored allowlist: ${loaded.errors[0]?.message ?? "invalid"}`);
  return loaded.value;
}
