import { DurableObject } from "cloudflare:workers";
import { configOf } from "../../config";
import type { AdminAlertDetail } from "../../contract/admin";
import type { AllowEntry, Bouncer, KvStatus, Machine, Metrics } from "../../contract/admin-access";
import type { LapiAlertIn, LapiAlertOut } from "../../contract/lapi-alert";
import type { Env } from "../../env";
import { migrate } from "../migrate";
import { AllowStore } from "./allowlist";
import { BouncerStore, iso, type PullAuth, type PullRequest, type PullStart } from "./bouncers";
import { bump } from "./counters";
import type { DecisionFilter } from "./filter";
import { type FlushOutcome, KvWriter } from "./kv-writer";
import { MachineStore } from "./machines";
import { metricsReport } from "./metrics";
import { type AllowInput, LedgerOps, type ManualDecision, type ManualResult } from "./ops";
import {
  type AlertQuery,
  alertDetail,
  type DecisionQuery,
  lapiAlerts,
  listAlerts,
  listDecisions,
} from "./queries";
import type { BatchCounts, RecordItem, RecordResult } from "./records";
import { backfillSortKeys } from "./snapshot-rows";
import { LEDGER_MIGRATIONS, type LedgerDecisionRow, LedgerStore, type RecordHooks } from "./store";
import type { Page, PullPlan } from "./stream";
import { findHash } from "./token";
import { type HousekeepingReport, LedgerUpkeep } from "./upkeep";

export type { HousekeepingReport } from "./upkeep";

/** A watcher (CrowdSec agent, cscli) acting with a JWT; `registered: false` for the bootstrap machine. */
export interface WatcherRef {
  machine: string;
  registered: boolean;
}

/**
 * The singleton ledger (`LEDGER.idFromName("ledger")`): alerts and decisions with a
 * monotonic `seq` for every change (the bouncer stream reads it), the ingest batch ids
 * completed per machine, machines, bouncers and their stream cursors, the operator
 * allowlist, the admin counters, and the KV blocklist writer. Its alarm expires
 * decisions and allowlist entries and flushes KV at most every KV_FLUSH_MS.
 */
export class Ledger extends DurableObject<Env> {
  private readonly store: LedgerStore;
  private readonly writer: KvWriter;
  private readonly bouncerStore: BouncerStore;
  private readonly machineStore: MachineStore;
  private readonly allow: AllowStore;
  private readonly ops: LedgerOps;
  private readonly upkeep: LedgerUpkeep;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    const sql = ctx.storage.sql;
    this.store = new LedgerStore(sql);
    const cfg = configOf(env);
    this.writer = new KvWriter(sql, env.BLOCKLIST, {
      ipv6Prefix: cfg.ipv6Prefix,
      partBytes: cfg.blocklistPartBytes,
      writesPerDay: cfg.kvWriteBudget,
    });
    this.bouncerStore = new BouncerStore(sql);
    this.machineStore = new MachineStore(sql);
    this.allow = new AllowStore(sql);
    const hooks: RecordHooks = {
      toEntry: (row) => this.writer.entryOf(row),
      sortKey: (scope, value) => this.writer.sortKey(scope, value),
      allowed: (d) => this.allow.covering(d),
    };
    this.ops = new LedgerOps(ctx.storage, this.store, this.allow, hooks, cfg.ipv6Prefix);
    this.upkeep = new LedgerUpkeep(ctx.storage, this.store, this.writer, this.ops, cfg.kvFlushMs);
    ctx.blockConcurrencyWhile(async () => {
      migrate(ctx.storage, LEDGER_MIGRATIONS);
      this.store.backfillIpKeys();
      backfillSortKeys(sql, cfg.ipv6Prefix, (scope, value) => this.writer.sortKey(scope, value));
    });
  }

  /** The machine whose token hashes to `tokenHash` (every stored hash is compared). */
  async authenticate(tokenHash: string): Promise<{ machine: string } | null> {
    const m = findHash(tokenHash, this.machineStore.hashes());
    return m ? { machine: m.name } : null;
  }

  async removeMachine(name: string): Promise<boolean> {
    return this.machineStore.remove(name);
  }

  /** The counts of a completed batch, or null when this machine never completed it. */
  async batchStatus(machine: string, batchId: string): Promise<BatchCounts | null> {
    return this.store.batch(machine, batchId) ?? null;
  }

  /**
   * Marks a batch completed; a batch completed before keeps its first counts. The first
   * completion adds to the ingest counters of (machine, `source.type`).
   */
  async completeBatch(
    machine: string,
    batchId: string,
    counts: BatchCounts,
    source?: { type: string },
  ): Promise<BatchCounts> {
    return this.ops.completeBatch(machine, batchId, counts, source?.type ?? "unknown", Date.now());
  }

  /** Records alerts and their decisions (idempotent per ref); schedules the KV flush. */
  async record(items: RecordItem[]): Promise<RecordResult[]> {
    const out = this.ops.record(items, Date.now());
    await this.schedule();
    return out;
  }

  /** Marks decisions ended (a tracker's alarm): `del` deltas for the edge. */
  async expire(ids: number[]): Promise<number> {
    const done = this.ops.end({ ids }, "expired", Date.now());
    if (done.length > 0) await this.schedule();
    return done.length;
  }

  async decision(id: number): Promise<LedgerDecisionRow | null> {
    return this.store.decision(id) ?? null;
  }

  // ---- bouncers (CrowdSec LAPI) ----

  /** A bouncer's pull: null for an unknown key. See stream.ts for the semantics. */
  async pull(auth: PullAuth, req: PullRequest): Promise<PullStart | null> {
    return this.bouncerStore.start(auth, req, this.store.seq, Date.now());
  }

  async pullPage(
    plan: PullPlan,
    part: number,
    after: number,
    last: boolean,
    userAgent: string | null,
  ): Promise<Page> {
    return this.bouncerStore.nextPage(plan, part, after, last, Date.now(), userAgent);
  }

  async createBouncer(name: string, keyHash: string): Promise<boolean> {
    return this.bouncerStore.create(name, keyHash, Date.now());
  }

  async bouncers(): Promise<Bouncer[]> {
    return this.bouncerStore.list();
  }

  async removeBouncer(name: string): Promise<boolean> {
    return this.bouncerStore.remove(name);
  }

  // ---- machines and watchers ----

  async createMachine(name: string, tokenHash: string): Promise<boolean> {
    return this.machineStore.create(name, tokenHash, Date.now());
  }

  async machines(): Promise<Machine[]> {
    return this.machineStore.list();
  }

  async jwtSecret(): Promise<string> {
    return this.machineStore.jwtSecret();
  }

  async login(machine: string, tokenHash: string): Promise<boolean> {
    return this.machineStore.login(machine, tokenHash, Date.now());
  }

  /** `POST /v1/alerts`: the new alerts' ids; null when the machine was removed. */
  async pushAlerts(who: WatcherRef, alerts: LapiAlertIn[]): Promise<number[] | null> {
    if (!this.active(who)) return null;
    const now = Date.now();
    this.machineStore.seen(who.machine, now);
    const ids = this.ops.pushAlerts(who.machine, alerts, now);
    await this.schedule();
    return ids;
  }

  async watcherAlerts(who: WatcherRef, q: AlertQuery): Promise<LapiAlertOut[] | null> {
    return this.active(who) ? lapiAlerts(this.ctx.storage.sql, q, Date.now()) : null;
  }

  /** A watcher's `DELETE /v1/decisions[/:id]`: the ids ended; null for a removed machine. */
  async watcherDelete(
    who: WatcherRef,
    by: { ids: number[] } | { filter: DecisionFilter },
  ): Promise<number[] | null> {
    return this.active(who) ? this.endDecisions(by) : null;
  }

  private active(who: WatcherRef): boolean {
    return !who.registered || this.machineStore.exists(who.machine);
  }

  // ---- admin ----

  async listDecisions(q: DecisionQuery): Promise<ReturnType<typeof listDecisions>> {
    return listDecisions(this.ctx.storage.sql, q, Date.now());
  }

  async addDecision(m: ManualDecision): Promise<ManualResult> {
    const out = this.ops.manual(m, Date.now());
    await this.schedule();
    return out;
  }

  async endDecisions(by: { ids: number[] } | { filter: DecisionFilter }): Promise<number[]> {
    const ids = this.ops.end(by, "deleted", Date.now());
    if (ids.length > 0) await this.schedule();
    return ids;
  }

  async alerts(q: AlertQuery): Promise<ReturnType<typeof listAlerts>> {
    return listAlerts(this.ctx.storage.sql, q, Date.now());
  }

  async alert(id: number): Promise<AdminAlertDetail | null> {
    return alertDetail(this.ctx.storage.sql, id, Date.now());
  }

  async allowlist(): Promise<AllowEntry[]> {
    return this.allow.entries();
  }

  /** Adds an entry and lifts the decisions it covers; null when the value is no IP/CIDR. */
  async addAllow(input: AllowInput): Promise<{ entry: AllowEntry; lifted: number[] } | null> {
    const out = this.ops.addAllow(input, Date.now());
    await this.schedule();
    return out;
  }

  async removeAllow(by: { id: number } | { value: string }): Promise<number[]> {
    const ids = this.allow.remove(by);
    await this.schedule();
    return ids;
  }

  /** Adds to the `edge` (or another) counters: the edge's per-isolate outcome counts. */
  async addCounts(metric: string, counts: Record<string, number>): Promise<void> {
    const now = Date.now();
    const sql = this.ctx.storage.sql;
    this.ctx.storage.transactionSync(() => {
      for (const [k, n] of Object.entries(counts)) bump(sql, metric, k, "", n, now);
    });
  }

  async metrics(): Promise<Metrics> {
    const bouncers = this.bouncerStore
      .list()
      .map((b) => ({ name: b.name, last_pull: b.last_pull, user_agent: b.user_agent }));
    return {
      ...metricsReport(this.ctx.storage.sql, bouncers, Date.now()),
      kv: await this.kvStatus(),
    };
  }

  /** The KV blocklist and its write budget, as the admin metrics show them. */
  async kvStatus(): Promise<KvStatus> {
    const now = Date.now();
    const st = this.writer.state();
    const next = this.upkeep.nextFlushAt(now);
    const last = st.lastCompaction;
    return {
      budget: this.writer.spend.report(now),
      epoch: st.epoch,
      base_parts: st.base?.parts.length ?? (st.legacyBase ? 1 : 0),
      base_bytes: st.base?.bytes ?? 0,
      deltas: st.deltas.length,
      pending: this.writer.pending(),
      last_write: st.lastWrite ? iso(st.lastWrite) : null,
      next_flush: next === undefined ? null : iso(next),
      last_compaction: last && {
        rows: last.rows,
        parts: last.parts,
        bytes: last.bytes,
        peak_bytes: last.peak_bytes,
        at: iso(last.at),
      },
      repair: st.repair,
    };
  }

  /** An operator's compaction (the budget still applies: `deferred` when it cannot pay). */
  async compactKv(): Promise<FlushOutcome> {
    const out = await this.writer.compact(Date.now());
    await this.schedule();
    return out;
  }

  /**
   * An edge could not read a KV key the manifest names (a corrupt delta or base part, the
   * manifest itself, the allowlist): the next flush rewrites it (a new base, or the
   * allowlist again). False for a key no current manifest names.
   */
  async repairKv(key: string, reason: string): Promise<boolean> {
    const what = this.writer.requestRepair(key);
    if (what === "allow") this.allow.republish();
    console.error("palisade.ledger.kv_repair", { key, reason, rewriting: what !== null });
    if (what !== null) await this.schedule();
    return what !== null;
  }

  /** The cron's work (every minute): see LedgerUpkeep.housekeeping. */
  async housekeeping(): Promise<HousekeepingReport> {
    return this.upkeep.housekeeping(Date.now());
  }

  /** Ends what is due, flushes KV, re-arms: see LedgerUpkeep.alarm. */
  override async alarm(): Promise<void> {
    await this.upkeep.alarm();
  }

  private schedule(): Promise<void> {
    return this.upkeep.schedule();
  }
}
