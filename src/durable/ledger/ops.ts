import type { AdminDecision } from "../../contract/admin";
import type { AllowEntry } from "../../contract/admin-access";
import type { LapiAlertIn } from "../../contract/lapi-alert";
import { DECISION_ORIGINS } from "../../core/decision";
import { formatDuration } from "../../core/duration";
import type { CompiledProfile } from "../../core/profile/index";
import { detectionPack } from "../pack";
import type { AllowStore } from "./allowlist";
import { bump, bumpSeries } from "./counters";
import type { DecisionFilter } from "./filter";
import { type AlertQuery, alertSeqs, liveDecisionIds, liveIdsAmong } from "./queries";
import type { AlertRecord, BatchCounts, RecordItem, RecordResult } from "./records";
import type { EndReason, LedgerStore, RecordHooks } from "./store";
import type { StreamSplit } from "./stream-split";
import { adminDecision } from "./views";
import { SqlDecisionHistory, type WatcherContext, watcherItem } from "./watchers";

/**
 * The Ledger's writes besides `record`: manual decisions, deletes by filter, the
 * allowlist, watchers' alerts, expiry. Each runs inside one storage transaction; the
 * Ledger object schedules the KV flush afterwards.
 */

export interface ManualDecision {
  /** Canonical scope (`Ip`, `Range`, `Country`, `AS`, custom) and value. */
  scope: string;
  value: string;
  type: string;
  durationMs: number;
  reason?: string | undefined;
}

export type ManualResult =
  | { ok: true; decision: AdminDecision; alert_id: number }
  | { ok: false; allowlisted: string };

/** What a watcher's delete ended, and how many matches it had to leave to their owners. */
export interface OwnEnd {
  ids: number[];
  foreign: number;
}

/** A watcher's alert delete: alerts removed, decisions they ended, others' alerts left. */
export interface OwnAlertDelete {
  deleted: number;
  ended: number;
  foreign: number;
}

export type AllowInput = {
  value: string;
  reason: string;
  expires: number | null;
};

/** Who made a manual decision: cscli's origin, so bouncers treat it as CrowdSec's manual ones. */
const MANUAL_ORIGIN = DECISION_ORIGINS.manual;
const ADMIN_MACHINE = "admin";

export class LedgerOps {
  constructor(
    private readonly storage: DurableObjectStorage,
    private readonly store: LedgerStore,
    private readonly allow: AllowStore,
    private readonly hooks: RecordHooks,
    /** IPV6_PREFIX: the pack's profiles decide watchers' alerts on that network. */
    private readonly ipv6Prefix: number,
    private readonly split: StreamSplit,
  ) {}

  /**
   * Marks a batch completed (the first completion keeps its counts) and adds a first
   * completion to the ingest counters of (machine, source type).
   */
  completeBatch(
    machine: string,
    batchId: string,
    counts: BatchCounts,
    type: string,
    now: number,
  ): BatchCounts {
    return this.storage.transactionSync(() => {
      if (!this.store.batch(machine, batchId)) {
        const sql = this.storage.sql;
        bump(sql, "ingest.batches", machine, type, 1, now);
        bump(sql, "ingest.lines", machine, type, counts.accepted ?? 0, now);
        bumpSeries(sql, "ingest.lines", machine, counts.accepted ?? 0, now);
        bump(sql, "ingest.queued", machine, type, counts.queued ?? 0, now);
        bump(sql, "ingest.parsed", machine, type, counts.parsed ?? 0, now);
        bump(sql, "ingest.unparsed", machine, type, counts.unparsed ?? 0, now);
      }
      return this.store.completeBatch(machine, batchId, counts, now);
    });
  }

  record(items: readonly RecordItem[], now: number): RecordResult[] {
    return this.storage.transactionSync(() =>
      this.store.logged(() => items.map((item) => this.store.record(item, now, this.hooks))),
    );
  }

  /** A decision made by hand, recorded with an alert as cscli does; refused if allowlisted. */
  manual(m: ManualDecision, now: number): ManualResult {
    const allowed = this.allow.covering(m);
    if (allowed !== undefined) return { ok: false, allowlisted: allowed };
    const reason = m.reason ?? `manual '${m.type}' from '${ADMIN_MACHINE}'`;
    const source: AlertRecord["source"] = { scope: m.scope, value: m.value };
    if (m.scope === "Ip") source.ip = m.value;
    const item: RecordItem = {
      ref: `manual:${crypto.randomUUID()}`,
      machine: ADMIN_MACHINE,
      alert: {
        scenario: reason,
        message: `${m.type} on ${m.scope} ${m.value} for ${formatDuration(m.durationMs)} by ${ADMIN_MACHINE}`,
        source,
        events_count: 1,
        start_at: now,
        stop_at: now,
        capacity: 0,
        leakspeed: 0,
        labels: {},
        remediation: true,
        events: [],
        allowlisted: false,
      },
      decisions: [
        {
          type: m.type,
          scope: m.scope,
          value: m.value,
          origin: MANUAL_ORIGIN,
          scenario: reason,
          start: now,
          until: now + m.durationMs,
        },
      ],
    };
    const [result] = this.record([item], now);
    const id = result?.ids[0];
    const row = id === undefined ? undefined : this.store.decision(id);
    if (!result || result.alertSeq === null || !row)
      throw new Error("manual decision not recorded");
    return { ok: true, decision: adminDecision(row, now), alert_id: result.alertSeq };
  }

  /** Ends decisions by id or by filter (only live ones); the ids ended. */
  end(
    by: { ids: number[] } | { filter: DecisionFilter },
    reason: EndReason,
    now: number,
  ): number[] {
    return this.storage.transactionSync(() => {
      const ids = "ids" in by ? by.ids : liveDecisionIds(this.storage.sql, by.filter);
      return this.store.delete(ids, now, reason);
    });
  }

  /**
   * A watcher ends only the decisions of alerts it pushed: a stolen agent credential
   * cannot lift Palisade's, the admin's or another agent's bans.
   */
  endOwn(machine: string, by: { ids: number[] } | { filter: DecisionFilter }, now: number): OwnEnd {
    return this.storage.transactionSync(() => {
      const sql = this.storage.sql;
      const all = "ids" in by ? liveIdsAmong(sql, by.ids) : liveDecisionIds(sql, by.filter);
      const own =
        "ids" in by
          ? liveIdsAmong(sql, by.ids, machine)
          : liveDecisionIds(sql, { ...by.filter, machine });
      return { ids: this.store.delete(own, now, "deleted"), foreign: all.length - own.length };
    });
  }

  /** Removes a watcher's own alerts (by id or filter), ending their live decisions first. */
  deleteOwnAlerts(
    machine: string,
    by: { id: number } | { query: AlertQuery },
    now: number,
  ): OwnAlertDelete {
    return this.storage.transactionSync(() => {
      const sql = this.storage.sql;
      const q: AlertQuery = "id" in by ? { seq: by.id, limit: 1 } : by.query;
      const all = alertSeqs(sql, q, now);
      const own = alertSeqs(sql, { ...q, machine }, now);
      let ended = 0;
      for (const seq of own) {
        ended += this.store.delete(liveDecisionIds(sql, { alert: seq }), now, "deleted").length;
        sql.exec("DELETE FROM alerts WHERE seq = ?", seq);
      }
      return { deleted: own.length, ended, foreign: all.length - own.length };
    });
  }

  /** Adds an entry, lifts what it covers whole, carves it out of the ranges around it. */
  addAllow(input: AllowInput, now: number): { entry: AllowEntry; lifted: number[] } | null {
    return this.storage.transactionSync(() => {
      const added = this.allow.add(input.value, input.reason, input.expires, now);
      if (!added) return null;
      const lifted = this.store.delete(added.liftable, now, "allowlisted");
      this.split.recarveAround(added.key, now);
      return { entry: added.entry, lifted };
    });
  }

  /** Removes entries; the ranges around them are streamed whole again. The ids removed. */
  removeAllow(by: { id: number } | { value: string }, now: number): number[] {
    return this.storage.transactionSync(() => {
      const removed = this.allow.remove(by);
      for (const key of removed) this.split.recarveAround(key, now);
      return removed.map((r) => r.id);
    });
  }

  /** `profiles`: those in force (the current content version's); default the built-in ones. */
  pushAlerts(
    machine: string,
    alerts: readonly LapiAlertIn[],
    now: number,
    profiles: readonly CompiledProfile[] = detectionPack(this.ipv6Prefix).profiles,
  ): number[] {
    const ctx: WatcherContext = {
      machine,
      now,
      profiles,
      allowlist: this.allow.combined(),
      history: new SqlDecisionHistory(this.storage.sql),
    };
    return this.storage.transactionSync(() =>
      this.store.logged(() =>
        // One by one: an alert's decisions count in the escalation of the next one.
        alerts.map(
          (a) => this.store.record(watcherItem(a, ctx), now, this.hooks).alertSeq as number,
        ),
      ),
    );
  }

  /** Ends decisions and allowlist entries whose time is up (the alarm's work). */
  expireDue(now: number, limit: number): number {
    return this.storage.transactionSync(() => {
      for (const key of this.allow.expireDue(now)) this.split.recarveAround(key, now);
      const due = this.store.overdue(now, limit);
      return this.store.delete(due, now, "expired").length;
    });
  }

  /** When the alarm is next needed: the next expiry, or `flushAt` if earlier (changes pending). */
  deadline(flushAt: number | undefined): number | undefined {
    const at = this.nextExpiry();
    if (flushAt === undefined) return at;
    return at === undefined ? flushAt : Math.min(at, flushAt);
  }

  /** The next instant something expires (a decision or an allowlist entry). */
  nextExpiry(): number | undefined {
    const row = this.storage.sql
      .exec<{ at: number | null }>(
        "SELECT MIN(until) AS at FROM decisions WHERE deleted_seq IS NULL",
      )
      .one();
    const a = row.at ?? undefined;
    const b = this.allow.nextExpiry();
    if (a === undefined) return b;
    return b === undefined ? a : Math.min(a, b);
  }
}
