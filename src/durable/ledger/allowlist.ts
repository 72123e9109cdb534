import type { AllowEntry } from "../../contract/admin-access";
import { type Allowlist, loadAllowlist } from "../../core/allowlist";
import { normalizeCidr } from "../../core/ip";
import { hubFile } from "../../hub/index";
import { setMeta } from "../migrate";
import { iso } from "./bouncers";
import { ipKeyOfText } from "./ipkey";
import type { DecisionInput } from "./records";

/**
 * The operator's allowlist (admin API), on top of the built-in one (src/hub/allowlist.yaml).
 * Where it is honoured:
 * - the Ledger's `record`: a decision it covers is recorded as ended (`allowlisted`), so
 *   nothing Palisade detects, a watcher pushes or a tracker sends reaches KV or a bouncer;
 * - watchers' alerts without decisions: `decide()` sees built-in + operator entries;
 * - the edge: the Ledger publishes the list to KV (`bl:allow:<n>`, named by the manifest's
 *   `allow`), which each isolate reads when the name changes and checks after a hit.
 * Adding an entry lifts the active `Ip` decisions inside it and the `Range` decisions
 * overlapping it, like the profiles' rule that a range touching an allowed address is
 * not decided. Expired entries are removed by the Ledger's alarm.
 */

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
  ): { entry: AllowEntry; liftable: number[] } | null {
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
    const liftable = this.sql
      .exec<{ id: number }>(
        `SELECT id FROM decisions WHERE deleted_seq IS NULL AND ip_size = ? AND ip_start <= ?
           AND ip_end >= ?`,
        key.size,
        key.end,
        key.start,
      )
      .toArray()
      .map((r) => r.id);
    return { entry: entryOf(row), liftable };
  }

  /** Removes by id or by value (an IP or CIDR, canonicalised); the ids removed. */
  remove(by: { id: number } | { value: string }): number[] {
    const rows =
      "id" in by
        ? this.sql.exec<{ id: number }>("DELETE FROM allowlist WHERE id = ? RETURNING id", by.id)
        : this.sql.exec<{ id: number }>(
            "DELETE FROM allowlist WHERE value = ? RETURNING id",
            normalizeCidr(by.value) ?? by.value,
          );
    const ids = rows.toArray().map((r) => r.id);
    if (ids.length > 0) this.changed();
    return ids;
  }

  expireDue(now: number): number {
    const n = this.sql.exec("DELETE FROM allowlist WHERE expires <= ?", now).rowsWritten;
    if (n > 0) this.changed();
    return n;
  }

  nextExpiry(): number | undefined {
    const row = this.sql
      .exec<{ at: number | null }>(
        "SELECT MIN(expires) AS at FROM allowlist WHERE expires IS NOT NULL",
      )
      .one();
    return row.at ?? undefined;
  }

  /** `reason (cidr)` of the operator entry covering a decision's address, if any. */
  covering(d: Pick<DecisionInput, "scope" | "value">): string | undefined {
    const s = d.scope.toLowerCase();
    if (s !== "ip" && s !== "range") return undefined;
    const list = this.operator();
    if (list.size === 0) return undefined;
    const hit = s === "ip" ? list.lookupIp(d.value) : list.lookupRange(d.value);
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
