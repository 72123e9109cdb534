import { DurableObject } from "cloudflare:workers";
import { configOf } from "../../config";
import type { AdminAlertDetail, AdminDecision } from "../../contract/admin";
import type {
  AllowEntry,
  Bouncer,
  KvStatus,
  Machine,
  MachineRole,
  Metrics,
} from "../../contract/admin-access";
import type { AllowCheck, ConsoleSession, Stats, StatsWindow } from "../../contract/admin-stats";
import type { ImportReport, LedgerExport } from "../../contract/backup";
import type {
  CommonsJoin,
  CommonsSharingUpdate,
  CommonsStatus,
  IpView,
} from "../../contract/commons-member";
import { EMPTY_BUNDLE } from "../../contract/content";
import type { DeadLetter } from "../../contract/dead-letters";
import type { LapiAlertIn, LapiAlertOut } from "../../contract/lapi-alert";
import type { NotifyOutcome } from "../../contract/notify";
import type { Observation } from "../../contract/observation";
import type { Env } from "../../env";
import { migrate } from "../migrate";
import { detectionPack, packAt } from "../pack";
import { AllowStore } from "./allowlist";
import { LedgerBackup } from "./backup";
import { BouncerStore, iso, type PullAuth, type PullRequest, type PullStart } from "./bouncers";
import { CommunityList } from "./commons-list";
import { CAPI } from "./commons-member";
import { CommonsMembership, type JoinResult, type SyncReport } from "./commons-sync";
import { type CommitResult, type ContentAt, ContentStore, type ContentVersionRow } from "./content";
import { bump, bumpSeries } from "./counters";
import { type DeadLetterInput, DeadLetterStore } from "./dead-letters";
import type { DecisionFilter } from "./filter";
import { ipKeyOfText } from "./ipkey";
import { countingKv } from "./kv-count";
import { type FlushOutcome, KvWriter } from "./kv-writer";
import { type LoginResult, MachineStore } from "./machines";
import { metricsReport } from "./metrics";
import { Notifier } from "./notify";
import { observation } from "./observe";
import {
  type AllowInput,
  LedgerOps,
  type ManualDecision,
  type ManualResult,
  type OwnAlertDelete,
  type OwnEnd,
} from "./ops";
import {
  type AlertQuery,
  alertDetail,
  type DecisionQuery,
  lapiAlertById,
  lapiAlerts,
  listAlerts,
  listDecisions,
} from "./queries";
import type { BatchCounts, RecordItem, RecordResult } from "./records";
import { type LiveSession, type SessionStart, SessionStore } from "./sessions";
import { backfillSortKeys } from "./snapshot-rows";
import { statsReport } from "./stats";
import { LEDGER_MIGRATIONS, type LedgerDecisionRow, LedgerStore, type RecordHooks } from "./store";
import type { Page, PullPlan } from "./stream";
import { StreamSplit } from "./stream-split";
import { type HousekeepingReport, LedgerUpkeep } from "./upkeep";
import { adminDecision } from "./views";

export type { HousekeepingReport } from "./upkeep";

/** A watcher (CrowdSec agent, cscli) acting with a JWT: its name and machine row id. */
export interface WatcherRef {
  machine: string;
  mid: number;
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
  private readonly sessions: SessionStore;
  private readonly notifier: Notifier;
  private readonly deadLetters: DeadLetterStore;
  private readonly backup: LedgerBackup;
  private readonly commons: CommonsMembership;
  private readonly list: CommunityList;
  private readonly content: ContentStore;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    const sql = ctx.storage.sql;
    this.store = new LedgerStore(sql);
    const cfg = configOf(env);
    this.writer = new KvWriter(sql, countingKv(env.BLOCKLIST, sql), {
      ipv6Prefix: cfg.ipv6Prefix,
      partBytes: cfg.blocklistPartBytes,
      writesPerDay: cfg.kvWriteBudget,
    });
    this.bouncerStore = new BouncerStore(sql);
    this.machineStore = new MachineStore(sql);
    this.allow = new AllowStore(sql);
    this.sessions = new SessionStore(sql);
    this.notifier = new Notifier(sql, env);
    const split = new StreamSplit(sql, this.store);
    this.deadLetters = new DeadLetterStore(sql);
    this.content = new ContentStore(sql);
    const hooks: RecordHooks = {
      toEntry: (row) => this.writer.entryOf(row),
      sortKey: (scope, value) => this.writer.sortKey(scope, value),
      allowed: (d) => this.allow.covering(d),
      notify: (a, seq, now) => this.notifier.enqueue(a, seq, now),
      maxDurationMs: cfg.maxDecision.maxMs,
      carve: (row, now) => split.carve(row, now),
      share: (a, manual, now) => this.commons.enqueue(a, manual, now),
      // Only a member's own policy: without a membership, CAPI rows (an import) coexist.
      recorded: (row, now) => {
        if (row.origin !== CAPI && this.commons.members.row()) list.supersede(row, now);
      },
    };
    const list = new CommunityList(sql, this.store, this.allow, hooks);
    this.commons = new CommonsMembership(ctx.storage, list, {
      pushMs: cfg.commonsPushMs,
      pullMs: cfg.commonsPullMs,
    });
    this.list = list;
    this.ops = new LedgerOps(ctx.storage, this.store, this.allow, hooks, cfg.ipv6Prefix, split);
    this.upkeep = new LedgerUpkeep(
      ctx.storage,
      this.store,
      this.writer,
      this.ops,
      cfg.kvFlushMs,
      this.notifier,
      {
        days: cfg.retentionDays,
        maxAlerts: cfg.retentionMaxAlerts,
        maxEndedDecisions: cfg.retentionMaxEndedDecisions,
      },
      this.commons,
    );
    this.backup = new LedgerBackup(sql, this.store, hooks, () => this.allow.reload());
    ctx.blockConcurrencyWhile(async () => {
      migrate(ctx.storage, LEDGER_MIGRATIONS);
      this.store.backfillIpKeys();
      backfillSortKeys(sql, cfg.ipv6Prefix, (scope, value) => this.writer.sortKey(scope, value));
    });
  }

  /** The machine whose token hashes to `tokenHash` (every stored hash is compared), and its role. */
  async authenticate(tokenHash: string): Promise<{ machine: string; role: MachineRole } | null> {
    const m = this.machineStore.byToken(tokenHash);
    return m ? { machine: m.name, role: m.role } : null;
  }

  async removeMachine(name: string): Promise<boolean> {
    return this.machineStore.remove(name);
  }

  /** The counts of a completed batch, or null when this machine never completed it. */
  async batchStatus(machine: string, batchId: string): Promise<BatchCounts | null> {
    return this.store.batch(machine, batchId) ?? null;
  }

  /**
   * A batch's start: its counts when this machine completed it before, and the current
   * content version (what ingest parses and routes with), in one call.
   */
  async batchOpen(
    machine: string,
    batchId: string,
  ): Promise<{ done: BatchCounts | null; content: number }> {
    return { done: this.store.batch(machine, batchId) ?? null, content: this.content.current() };
  }

  // ---- runtime detection content (content.ts) ----

  async contentVersion(): Promise<number> {
    return this.content.current();
  }

  /** The bundle of `version` (the current one when absent); null for an unknown version. */
  async contentAt(version?: number): Promise<ContentAt | null> {
    return this.content.at(version ?? this.content.current()) ?? null;
  }

  /** Stores `bundle` as the next version if `base` is still the current one. */
  async commitContent(
    base: number,
    action: string,
    bundle: ContentAt["bundle"],
  ): Promise<CommitResult> {
    return this.content.commit(base, action, bundle, Date.now());
  }

  async contentHistory(limit: number): Promise<ContentVersionRow[]> {
    return this.content.history(limit);
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

  /** One decision as the admin API shows it. */
  async adminDecision(id: number): Promise<AdminDecision | null> {
    const row = this.store.decision(id);
    return row ? adminDecision(row, Date.now()) : null;
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

  async createMachine(name: string, tokenHash: string, role: MachineRole): Promise<boolean> {
    return this.machineStore.create(name, tokenHash, role, Date.now());
  }

  async machines(): Promise<Machine[]> {
    return this.machineStore.list();
  }

  async jwtSecret(): Promise<string> {
    return this.machineStore.jwtSecret();
  }

  async login(machine: string, tokenHash: string): Promise<LoginResult> {
    return this.machineStore.login(machine, tokenHash, Date.now());
  }

  /** An agent's keep-alive: false when the watcher was removed (or never existed). */
  async heartbeat(who: WatcherRef): Promise<boolean> {
    if (!this.active(who)) return false;
    this.machineStore.seen(who.machine, Date.now());
    return true;
  }

  /** `POST /v1/alerts`: the new alerts' ids; null when the machine was removed. */
  async pushAlerts(who: WatcherRef, alerts: LapiAlertIn[]): Promise<number[] | null> {
    if (!this.active(who)) return null;
    const now = Date.now();
    this.machineStore.seen(who.machine, now);
    // The profiles in force: installed ones (palisade profiles set) apply to agents' alerts too.
    const version = this.content.current();
    const pack = await packAt(
      configOf(this.env).ipv6Prefix,
      version,
      async (v) => this.content.at(v) ?? null,
    );
    const ids = this.ops.pushAlerts(who.machine, alerts, now, pack.profiles);
    await this.schedule();
    return ids;
  }

  async watcherAlerts(who: WatcherRef, q: AlertQuery): Promise<LapiAlertOut[] | null> {
    return this.active(who) ? lapiAlerts(this.ctx.storage.sql, q, Date.now()) : null;
  }

  /** `GET /v1/alerts/:id`: undefined for a removed machine, null for an unknown id. */
  async watcherAlert(who: WatcherRef, id: number): Promise<LapiAlertOut | null | undefined> {
    if (!this.active(who)) return undefined;
    return lapiAlertById(this.ctx.storage.sql, id, Date.now());
  }

  /**
   * A watcher's `DELETE /v1/decisions[/:id]`: it ends only the decisions of its own
   * alerts; `foreign` counts the live ones that matched but belong to another machine (or
   * to Palisade, or the admin). Null for a removed machine.
   */
  async watcherDelete(
    who: WatcherRef,
    by: { ids: number[] } | { filter: DecisionFilter },
  ): Promise<OwnEnd | null> {
    if (!this.active(who)) return null;
    const out = this.ops.endOwn(who.machine, by, Date.now());
    if (out.ids.length > 0) await this.schedule();
    return out;
  }

  /**
   * A watcher's `DELETE /v1/alerts[/:id]`: removes its own alerts matching `q` and ends
   * their live decisions. Null for a removed machine.
   */
  async watcherDeleteAlerts(
    who: WatcherRef,
    by: { id: number } | { query: AlertQuery },
  ): Promise<OwnAlertDelete | null> {
    if (!this.active(who)) return null;
    const out = this.ops.deleteOwnAlerts(who.machine, by, Date.now());
    if (out.ended > 0) await this.schedule();
    return out;
  }

  private active(who: WatcherRef): boolean {
    return this.machineStore.isWatcher(who.machine, who.mid);
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

  /** Ends decisions by hand; community ones stay off until the commons relists them. */
  async endDecisions(by: { ids: number[] } | { filter: DecisionFilter }): Promise<number[]> {
    const now = Date.now();
    const ids = this.ctx.storage.transactionSync(() => {
      const ended = this.ops.end(by, "deleted", now);
      const rows = ended.map((id) => this.store.decision(id)).filter((r) => r !== undefined);
      this.list.suppress(rows, now);
      return ended;
    });
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
    const ids = this.ops.removeAllow(by, Date.now());
    await this.schedule();
    return ids;
  }

  // ---- the commons (this deployment as a member) ----

  /** Registers with a commons, enrolls with the operator's key, pulls the list once. */
  async commonsJoin(input: CommonsJoin): Promise<JoinResult> {
    const out = await this.commons.join(input, Date.now());
    await this.schedule();
    return out;
  }

  async commonsStatus(): Promise<CommonsStatus> {
    return this.commons.members.status(Date.now());
  }

  /** Null when not a member. Sharing nothing ends the community decisions (`removed`). */
  async commonsSharing(
    update: CommonsSharingUpdate,
  ): Promise<{ status: CommonsStatus; removed: number } | null> {
    const out = this.commons.setSharing(update, Date.now());
    await this.schedule();
    return out;
  }

  /** A push and a pull now (what the alarm does when they are due). */
  async commonsSync(): Promise<SyncReport & { error: string | null }> {
    try {
      const out = await this.commons.sync(Date.now(), true);
      return { ...out, error: null };
    } catch (e) {
      return { pushed: 0, pulled: null, error: e instanceof Error ? e.message : String(e) };
    } finally {
      await this.schedule();
    }
  }

  /** What this deployment knows of an address, and what the commons says of it. */
  async ipView(ip: string): Promise<IpView> {
    const now = Date.now();
    const sql = this.ctx.storage.sql;
    const key = ipKeyOfText(ip);
    const decisions = key
      ? listDecisions(sql, { filter: { ip: { key, contains: true } }, all: true, limit: 50 }, now)
      : { decisions: [] };
    return {
      ip,
      allowlist: await this.allowCheck(ip),
      alerts: listAlerts(sql, { value: ip, limit: 20 }, now).alerts,
      decisions: decisions.decisions,
      commons: await this.commons.reputation(ip),
    };
  }

  // ---- the ingest queue's dead letters ----

  async storeDeadLetters(letters: DeadLetterInput[]): Promise<number[]> {
    return this.ctx.storage.transactionSync(() => this.deadLetters.add(letters, Date.now()));
  }

  async listDeadLetters(limit: number): Promise<{ total: number; letters: DeadLetter[] }> {
    return { total: this.deadLetters.count(), letters: this.deadLetters.list(limit) };
  }

  /** Bodies to replay (every letter when `ids` is undefined), at most `limit`, oldest first. */
  async deadLetterBodies(
    ids: number[] | undefined,
    limit: number,
  ): Promise<{ letters: { id: number; body: ArrayBuffer }[]; selected: number[] }> {
    const selected = ids === undefined ? undefined : this.deadLetters.existing(ids);
    return {
      letters: this.deadLetters.bodies(selected ?? ids, limit),
      selected: selected ?? [],
    };
  }

  async removeDeadLetters(ids: number[]): Promise<number[]> {
    return this.deadLetters.remove(ids);
  }

  /** Adds to the `edge` (or another) counters: the edge's per-isolate outcome counts. */
  async addCounts(metric: string, counts: Record<string, number>): Promise<void> {
    return this.addCountsBy({ [metric]: counts });
  }

  /** Several metrics' counts at once (the edge's outcomes, countries and ASNs). */
  async addCountsBy(groups: Record<string, Record<string, number>>): Promise<void> {
    const now = Date.now();
    const sql = this.ctx.storage.sql;
    this.ctx.storage.transactionSync(() => {
      for (const [metric, counts] of Object.entries(groups)) {
        for (const [k, n] of Object.entries(counts)) {
          bump(sql, metric, k, "", n, now);
          bumpSeries(sql, metric, k, n, now);
        }
      }
    });
  }

  // ---- the console ----

  /** The overview's counts over `window` (see stats.ts). */
  async stats(window: StatsWindow): Promise<Stats> {
    return statsReport(this.ctx.storage.sql, window, Date.now());
  }

  /** Which allowlist lets `ip` through: built-in, operator, or none. */
  async allowCheck(ip: string): Promise<AllowCheck> {
    const builtin = detectionPack(configOf(this.env).ipv6Prefix).allowlist.lookupIp(ip);
    if (builtin) return { ip, allowlisted: "builtin", by: `${builtin.reason} (${builtin.match})` };
    const by = this.allow.covering({ scope: "Ip", value: ip });
    return { ip, allowlisted: by === undefined ? null : "operator", by: by ?? null };
  }

  async startSession(s: SessionStart): Promise<void> {
    this.sessions.create(s, Date.now());
  }

  /** The live session of a cookie's hash, or null (unknown, revoked, expired). */
  async session(idHash: string): Promise<LiveSession | null> {
    return this.sessions.check(idHash, Date.now());
  }

  async consoleSessions(): Promise<ConsoleSession[]> {
    return this.sessions.list(Date.now());
  }

  /** Revokes a session by id, or every session with null; how many ended. */
  async revokeSessions(id: string | null): Promise<number> {
    return this.sessions.revoke(id);
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

  /** The notification consumer's report on its deliveries (counters, dead messages). */
  async notifyOutcomes(list: NotifyOutcome[]): Promise<void> {
    const now = Date.now();
    this.ctx.storage.transactionSync(() => this.notifier.outcomes(list, now));
  }

  /** The latest notification messages given up on, for the console. */
  async notifyDead(): Promise<ReturnType<Notifier["dead"]>> {
    return this.notifier.dead();
  }

  /** Everything GET /_palisade/v1/metrics renders. */
  async observe(): Promise<Observation> {
    const kv = { ...this.writer.state(), pending: this.writer.pending() };
    return observation(this.ctx.storage.sql, await this.metrics(), kv, Date.now());
  }

  // ---- backup and retention ----

  /** Active decisions, the allowlist, bouncers and machines (contract/backup.ts). */
  async exportLedger(): Promise<LedgerExport> {
    const out = this.backup.export(Date.now());
    const version = this.content.current();
    const content = version > 0 ? this.content.at(version)?.bundle : undefined;
    return content ? { ...out, content } : out;
  }

  /**
   * Takes an export back, all or nothing; what was already there is skipped. Its detection
   * content becomes the next content version only where none is installed yet.
   */
  async importLedger(doc: LedgerExport): Promise<ImportReport> {
    const now = Date.now();
    const out = this.ctx.storage.transactionSync((): ImportReport => {
      const report = this.backup.import(doc, now);
      if (!doc.content) return report;
      const current = this.content.current();
      const empty =
        JSON.stringify(this.content.at(current)?.bundle) === JSON.stringify(EMPTY_BUNDLE);
      if (!empty) return { ...report, content: { imported: 0, skipped: 1 } };
      this.content.commit(current, "import", doc.content, now);
      return { ...report, content: { imported: 1, skipped: 0 } };
    });
    await this.schedule();
    return out;
  }

  /** Runs the retention sweep now (the cron runs it every 10 minutes). */
  async sweepRetention(): Promise<{ alerts: number; decisions: number }> {
    return this.upkeep.sweep(Date.now(), true);
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
