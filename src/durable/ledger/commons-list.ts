import type { CapiCursorStream } from "../../contract/capi";
import { parseDuration } from "../../core/duration";
import type { AllowStore } from "./allowlist";
import { CAPI } from "./commons-member";
import type { LedgerDecisionRow, LedgerStore, RecordHooks } from "./store";

/**
 * The community list as decisions of origin CAPI, so the edge enforces them through the
 * KV blocklist (queued in `kv_pending` like any decision: one delta per flush, a new base
 * past 1,000 changes — never a KV write per decision) and bouncers get them from the LAPI
 * stream, where `origins` filters see CrowdSec's origin name. Precedence, highest first:
 * the operator's allowlist (a listed address it covers is not applied), the member's own
 * live decision on the address (a local decision wins: the community one is not applied,
 * and a local one recorded later ends it), the operator's local delete (sticks until the
 * commons delists the address and lists it again).
 */

export interface Applied {
  added: number;
  removed: number;
}

/** A renewal closer than this to the applied end is not worth a KV change. */
const RENEW_SLACK_MS = 3_600_000;

export class CommunityList {
  constructor(
    private readonly sql: SqlStorage,
    private readonly store: LedgerStore,
    private readonly allow: AllowStore,
    private readonly hooks: RecordHooks,
  ) {}

  /** Applies one stream answer (call inside a transaction). */
  apply(stream: CapiCursorStream, now: number): Applied {
    return this.store.logged(() => this.applyStream(stream, now));
  }

  private applyStream(stream: CapiCursorStream, now: number): Applied {
    let removed = 0;
    for (const d of stream.deleted) {
      removed += this.endValue(d.value, now);
      this.sql.exec("DELETE FROM commons_suppressed WHERE value = ?", d.value);
    }
    let added = 0;
    const seen = new Set<string>();
    for (const d of stream.new) {
      seen.add(d.value);
      const ms = parseDuration(d.duration);
      if (ms === undefined || ms <= 0) continue;
      const until = now + ms;
      if (this.suppressed(d.value) || this.allow.covering(d) !== undefined) continue;
      if (this.localLive(d.value, now)) continue;
      const live = this.liveCapi(d.value);
      if (live.length > 0 && live.every((r) => Math.abs(r.until - until) < RENEW_SLACK_MS))
        continue;
      this.store.delete(
        live.map((r) => r.id),
        now,
        "expired",
      );
      this.store.record(
        {
          ref: `capi:${stream.seq}:${d.scope}:${d.value}`,
          alert: null,
          decisions: [
            {
              type: d.type,
              scope: d.scope,
              value: d.value,
              origin: CAPI,
              scenario: d.scenario,
              start: now,
              until,
            },
          ],
        },
        now,
        this.hooks,
      );
      added++;
    }
    if (stream.full) removed += this.endAllBut(seen, now);
    return { added, removed };
  }

  /** A local (non-CAPI) decision was recorded: it wins over the community's on its value. */
  supersede(row: LedgerDecisionRow, now: number): void {
    if (row.origin === CAPI) return;
    this.endValue(row.value, now);
  }

  /** The operator deleted community decisions here: they stay off until relisted. */
  suppress(rows: readonly LedgerDecisionRow[], now: number): void {
    for (const r of rows) {
      if (r.origin !== CAPI) continue;
      this.sql.exec(
        "INSERT OR REPLACE INTO commons_suppressed (value, at) VALUES (?, ?)",
        r.value,
        now,
      );
    }
  }

  /** Ends every community decision (opting out, or leaving for another commons). */
  clear(now: number): number {
    return this.endAllBut(new Set(), now);
  }

  private endValue(value: string, now: number): number {
    const ids = this.liveCapi(value).map((r) => r.id);
    return this.store.delete(ids, now, "expired").length;
  }

  private endAllBut(keep: ReadonlySet<string>, now: number): number {
    const rows = this.sql
      .exec<{ id: number; value: string }>(
        "SELECT id, value FROM decisions WHERE origin = ? AND deleted_seq IS NULL AND parent_id IS NULL",
        CAPI,
      )
      .toArray();
    const ids = rows.filter((r) => !keep.has(r.value)).map((r) => r.id);
    return this.store.delete(ids, now, "expired").length;
  }

  private liveCapi(value: string): { id: number; until: number }[] {
    return this.sql
      .exec<{ id: number; until: number }>(
        `SELECT id, until FROM decisions WHERE value = ? AND origin = ? AND deleted_seq IS NULL
           AND parent_id IS NULL`,
        value,
        CAPI,
      )
      .toArray();
  }

  private localLive(value: string, now: number): boolean {
    return (
      this.sql
        .exec(
          `SELECT 1 FROM decisions WHERE value = ? AND origin != ? AND deleted_seq IS NULL
             AND until > ? AND parent_id IS NULL LIMIT 1`,
          value,
          CAPI,
          now,
        )
        .toArray().length > 0
    );
  }

  private suppressed(value: string): boolean {
    return (
      this.sql.exec("SELECT 1 FROM commons_suppressed WHERE value = ?", value).toArray().length > 0
    );
  }
}
