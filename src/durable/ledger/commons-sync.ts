import type { CapiSignal } from "../../contract/capi-signal";
import type {
  CommonsJoin,
  CommonsSharing,
  CommonsSharingUpdate,
  CommonsStatus,
  IpView,
} from "../../contract/commons-member";
import { metaNumber, setMeta } from "../migrate";
import { CapiClient, CommonsCallError } from "./commons-client";
import type { Applied, CommunityList } from "./commons-list";
import { type MemberRow, MemberStore } from "./commons-member";
import { packScenarioHashes, type SignalRow, signalOf, withHash } from "./commons-signals";
import type { AlertRecord } from "./records";

/**
 * This deployment as a member of a commons: joining (register, login, enroll; the
 * credentials stay in the Ledger's SQLite), pushing alerts as signals and pulling the
 * community list, both from the Ledger's alarm (`COMMONS_PUSH_MS`, `COMMONS_PULL_MS`).
 */

/** Signals per request (the commons reads up to 1,000; CrowdSec sends 50). */
const PUSH_BATCH = 500;
/** Signals kept while the commons cannot be reached; the oldest go first past it. */
const OUTBOX_MAX = 10_000;
/** Statuses that refuse a batch for what it is (400 a bad field, 413 too large, 422). */
const REFUSED = new Set([400, 413, 422]);
/** A failed pull is tried again this soon (or at COMMONS_PULL_MS if sooner). */
const PULL_RETRY_MS = 60_000;

export type JoinResult =
  | { ok: true; status: CommonsStatus }
  | { ok: false; status: number; message: string };

export interface SyncReport {
  pushed: number;
  pulled: Applied | null;
}

export interface CommonsTiming {
  pushMs: number;
  pullMs: number;
}

export class CommonsMembership {
  readonly members: MemberStore;

  constructor(
    private readonly storage: DurableObjectStorage,
    private readonly list: CommunityList,
    private readonly timing: CommonsTiming,
    private readonly fetcher?: typeof fetch,
  ) {
    this.members = new MemberStore(storage.sql);
  }

  /** Registers, logs in and enrolls; stores the membership only once all three succeeded. */
  async join(input: CommonsJoin, now: number): Promise<JoinResult> {
    const creds = {
      url: input.url.replace(/\/+$/, ""),
      machine_id: randomHex(24),
      password: randomHex(32),
    };
    const client = new CapiClient(creds, this.fetcher);
    let token: { token: string; until: number };
    try {
      await client.register();
      token = await client.login();
      await client.enroll(token.token, input.key, input.name ?? "palisade");
    } catch (e) {
      if (!(e instanceof CommonsCallError)) throw e;
      return { ok: false, status: e.status, message: e.message };
    }
    this.storage.transactionSync(() => {
      this.list.clear(now);
      this.members.join({ ...creds, name: input.name ?? "palisade" }, now);
      this.members.setToken(token.token, token.until);
      setMeta(this.storage.sql, "commons_pull_try", 0);
    });
    // Joined either way; a first pull that fails shows in the status and is retried.
    await this.pull(now).catch((e: unknown) =>
      this.members.failed(e instanceof Error ? e.message : String(e), now),
    );
    return { ok: true, status: this.members.status(now) };
  }

  /** A recorded alert: queued as a signal when this member shares it (inside record's transaction). */
  enqueue(a: AlertRecord, manual: boolean, now: number): void {
    const row = this.members.row();
    if (!row) return;
    const s = signalOf(a, manual, this.members.sharing(row), row.machine_id, now);
    if (!s) return;
    this.storage.sql.exec(
      "INSERT INTO commons_outbox (uuid, at, scenario, signal) VALUES (?, ?, ?, ?)",
      s.uuid as string,
      now,
      s.scenario,
      JSON.stringify(s),
    );
  }

  /**
   * Sends queued signals; each is deleted only after the commons acknowledged its request.
   * A crash (or a lost answer) in between leaves them queued: the next push sends the same
   * uuids, which the commons counts as duplicates, so each signal counts once.
   */
  async push(now: number): Promise<number> {
    const row = this.members.row();
    if (!row) return 0;
    this.trimOutbox();
    const rows = this.storage.sql
      .exec<SignalRow>(
        "SELECT uuid, scenario, signal FROM commons_outbox ORDER BY at, uuid LIMIT ?",
        PUSH_BATCH,
      )
      .toArray();
    setMeta(this.storage.sql, "commons_push_try", now);
    if (rows.length === 0) return 0;
    const hashes = await packScenarioHashes();
    const batch: CapiSignal[] = rows.map((r) => withHash(r, hashes));
    try {
      await this.authed(row, (c, t) => c.signals(t, batch));
    } catch (e) {
      // Refused as malformed: sending it again cannot help, and it would hold back the rest.
      if (!(e instanceof CommonsCallError) || !REFUSED.has(e.status)) throw e;
      this.drop(rows);
      throw new CommonsCallError(e.status, `${rows.length} signal(s) dropped: ${e.message}`);
    }
    this.storage.transactionSync(() => {
      this.drop(rows);
      this.members.pushed(rows.length, now);
    });
    return rows.length;
  }

  /** Pulls the changes since the cursor and applies them; null when not pulling. */
  async pull(now: number): Promise<Applied | null> {
    const row = this.members.row();
    if (!row || !this.members.pulling(row)) return null;
    setMeta(this.storage.sql, "commons_pull_try", now);
    const stream = await this.authed(row, (c, t) => c.stream(t, row.cursor ?? 0));
    return this.storage.transactionSync(() => {
      const out = this.list.apply(stream, now);
      this.members.pulled(stream.seq, now);
      return out;
    });
  }

  /** The alarm's work: a push and a pull when due; a failure is kept in the status. */
  async sync(now: number, force = false): Promise<SyncReport> {
    const report: SyncReport = { pushed: 0, pulled: null };
    if (!this.members.row()) return report;
    try {
      if (force || this.pushDue(now)) report.pushed = await this.push(now);
      if (force || this.pullDue(now)) report.pulled = await this.pull(now);
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      this.members.failed(message, now);
      console.error(`palisade.commons.sync_failed: ${message}`);
      if (force) throw e;
    }
    return report;
  }

  /** When the alarm is next needed for the commons, if at all. */
  nextDue(now: number): number | undefined {
    const row = this.members.row();
    if (!row) return undefined;
    const dues = [this.pushAt(), this.pullAt(row)].filter((t) => t !== undefined);
    return dues.length === 0 ? undefined : Math.max(now, Math.min(...dues));
  }

  /** Signals are waiting: COMMONS_PUSH_MS after the last push. */
  private pushAt(): number | undefined {
    const sql = this.storage.sql;
    const pending = sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM commons_outbox").one().n;
    if (pending === 0) return undefined;
    return (metaNumber(sql, "commons_push_try") ?? 0) + this.timing.pushMs;
  }

  /** COMMONS_PULL_MS after the last pull, sooner after a failed one; never when not pulling. */
  private pullAt(row: MemberRow): number | undefined {
    if (!this.members.pulling(row)) return undefined;
    const tried = metaNumber(this.storage.sql, "commons_pull_try") ?? 0;
    const ok = row.last_pull !== null && row.last_pull >= tried;
    return tried + (ok ? this.timing.pullMs : Math.min(this.timing.pullMs, PULL_RETRY_MS));
  }

  /**
   * Changes what is shared. Sharing nothing stops the pull, as in CrowdSec: the community
   * decisions end and the cursor is forgotten (sharing again pulls the whole list).
   */
  setSharing(
    update: CommonsSharingUpdate,
    now: number,
  ): { status: CommonsStatus; removed: number } | null {
    const row = this.members.row();
    if (!row) return null;
    const next: CommonsSharing = { ...this.members.sharing(row) };
    for (const k of ["alerts", "manual", "context"] as const) {
      const v = update[k];
      if (v !== undefined) next[k] = v;
    }
    const removed = this.storage.transactionSync(() => {
      this.members.setSharing(next);
      if (this.members.pulling()) return 0;
      this.storage.sql.exec("UPDATE commons_member SET cursor = NULL WHERE id = 1");
      this.storage.sql.exec("DELETE FROM commons_suppressed");
      setMeta(this.storage.sql, "commons_pull_try", 0);
      return this.list.clear(now);
    });
    return { status: this.members.status(now), removed };
  }

  /** What the commons says of `ip` (its reputation lookup). */
  async reputation(ip: string): Promise<IpView["commons"]> {
    const row = this.members.row();
    if (!row) return { joined: false };
    try {
      return { joined: true, reputation: await this.authed(row, (c, t) => c.reputation(t, ip)) };
    } catch (e) {
      return { joined: true, error: e instanceof Error ? e.message : String(e) };
    }
  }

  /** Runs `call` with a valid JWT, logging in again once when the commons refuses the one kept. */
  private async authed<T>(
    row: MemberRow,
    call: (c: CapiClient, token: string) => Promise<T>,
  ): Promise<T> {
    const client = new CapiClient(row, this.fetcher);
    const now = Date.now();
    if (row.token && (row.token_until ?? 0) > now) {
      try {
        return await call(client, row.token);
      } catch (e) {
        if (!(e instanceof CommonsCallError) || e.status !== 401) throw e;
      }
    }
    const fresh = await client.login();
    this.members.setToken(fresh.token, fresh.until);
    return call(client, fresh.token);
  }

  private pushDue(now: number): boolean {
    const at = this.pushAt();
    return at !== undefined && now >= at;
  }

  private pullDue(now: number): boolean {
    const row = this.members.row();
    const at = row && this.pullAt(row);
    return at !== undefined && at !== null && now >= at;
  }

  private drop(rows: readonly SignalRow[]): void {
    for (const r of rows)
      this.storage.sql.exec("DELETE FROM commons_outbox WHERE uuid = ?", r.uuid);
  }

  private trimOutbox(): void {
    this.storage.sql.exec(
      `DELETE FROM commons_outbox WHERE uuid IN (SELECT uuid FROM commons_outbox
         ORDER BY at DESC, uuid DESC LIMIT -1 OFFSET ?)`,
      OUTBOX_MAX,
    );
  }
}

function randomHex(bytes: number): string {
  return [...crypto.getRandomValues(new Uint8Array(bytes))]
    .map((b) => b.toString(16).padStart(2, "0"))
    .join("");
}
