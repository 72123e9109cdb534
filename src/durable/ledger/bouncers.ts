import type { Bouncer } from "../../contract/admin-access";
import type { DecisionFilter } from "./filter";
import { purgedSeq } from "./retention";
import { type Page, type PullPlan, readPage } from "./stream";

/**
 * Bouncers (CrowdSec LAPI clients): their hashed API keys, last pull and user agent, and
 * one stream cursor per (key, client IP), so several instances sharing a key each get
 * every change (CrowdSec keeps one `last_pull` per key: crowdsec#3255).
 *
 * A key is looked up by its SHA-256 through the unique index: the hash of a 256-bit
 * random key reveals nothing a timing difference could leak, unlike comparing the keys.
 */

export interface PullAuth {
  keyHash: string;
  /** CF-Connecting-IP of the bouncer instance ("unknown" when absent). */
  ip: string;
  userAgent: string | null;
}

export interface PullRequest {
  /** `stream`: /v1/decisions/stream (cursor, dedupe); `list`: GET /v1/decisions; `check`: the key only (HEAD). */
  mode: "stream" | "list" | "check";
  startup: boolean;
  /** Client-held cursor (`since=`): changes after it, the server cursor untouched. */
  since: number | null;
  filter: DecisionFilter;
  pageSize: number;
}

export interface PullStart {
  plan: PullPlan;
  /** The first page of each part (null for a `null` part). */
  pages: (Page | null)[];
}

/** GET /v1/decisions updates a bouncer's last pull at most this often (as CrowdSec). */
const LIST_TOUCH_MS = 60_000;

type BouncerRow = {
  id: number;
  name: string;
  created: number;
  last_pull: number | null;
  user_agent: string | null;
  last_ip: string | null;
};

export class BouncerStore {
  constructor(private readonly sql: SqlStorage) {}

  /** False when the name is taken. */
  create(name: string, keyHash: string, now: number): boolean {
    const taken = this.sql.exec("SELECT 1 FROM bouncers WHERE name = ?", name).toArray();
    if (taken.length > 0) return false;
    this.sql.exec(
      "INSERT INTO bouncers (name, key_hash, created) VALUES (?, ?, ?)",
      name,
      keyHash,
      now,
    );
    return true;
  }

  remove(name: string): boolean {
    const row = this.sql
      .exec<{ id: number }>("SELECT id FROM bouncers WHERE name = ?", name)
      .toArray()[0];
    if (!row) return false;
    this.sql.exec("DELETE FROM bouncer_cursors WHERE bouncer = ?", row.id);
    this.sql.exec("DELETE FROM bouncers WHERE id = ?", row.id);
    return true;
  }

  list(): Bouncer[] {
    const rows = this.sql.exec<BouncerRow>("SELECT * FROM bouncers ORDER BY name").toArray();
    const cursors = this.sql
      .exec<{ bouncer: number; ip: string; seq: number; last_pull: number; user_agent: string }>(
        "SELECT * FROM bouncer_cursors ORDER BY bouncer, ip",
      )
      .toArray();
    return rows.map((b) => ({
      name: b.name,
      created_at: iso(b.created),
      last_pull: b.last_pull === null ? null : iso(b.last_pull),
      user_agent: b.user_agent,
      last_ip: b.last_ip,
      instances: cursors
        .filter((c) => c.bouncer === b.id)
        .map((c) => ({
          ip: c.ip,
          last_pull: iso(c.last_pull),
          user_agent: c.user_agent,
          cursor: c.seq,
        })),
    }));
  }

  /**
   * Authenticates, plans the pull and reads its first pages; the cursor moves when the
   * last page has been read (here, or in `nextPage`). Null for an unknown key.
   */
  start(auth: PullAuth, req: PullRequest, seq: number, now: number): PullStart | null {
    const b = this.sql
      .exec<BouncerRow>("SELECT * FROM bouncers WHERE key_hash = ?", auth.keyHash)
      .toArray()[0];
    if (!b) return null;
    const plan = this.plan(b.id, auth.ip, req, seq);
    if (req.mode === "check") return { plan, pages: [] };
    this.touch(b, auth, now, req.mode === "list");
    const pages = plan.parts.map((p) =>
      p === null ? null : readPage(this.sql, plan, p, null, now),
    );
    if (pages.every((p) => p === null || p.next === null)) this.commit(plan, now, auth.userAgent);
    return { plan, pages };
  }

  /** A later page; `last`: no other part has pages left, so the cursor moves after it. */
  nextPage(
    plan: PullPlan,
    part: number,
    after: number,
    last: boolean,
    now: number,
    userAgent: string | null,
  ): Page {
    const kind = plan.parts[part];
    if (!kind) throw new Error(`pull part ${part} has no pages`);
    const page = readPage(this.sql, plan, kind, after, now);
    if (last && page.next === null) this.commit(plan, now, userAgent);
    return page;
  }

  private plan(bouncer: number, ip: string, req: PullRequest, seq: number): PullPlan {
    const base = { upto: seq, filter: req.filter, pageSize: req.pageSize };
    if (req.mode !== "stream") {
      const parts: PullPlan["parts"] = req.mode === "list" ? ["live"] : [];
      return { ...base, from: 0, dedupe: false, parts, commit: null };
    }
    let from = req.since ?? (req.startup ? undefined : this.cursor(bouncer, ip));
    // Retention deleted ended decisions this cursor has not seen: resend the whole set.
    if (from !== undefined && from < purgedSeq(this.sql)) from = undefined;
    const commit = req.since === null ? { bouncer, ip } : null;
    // No cursor (a new instance) or startup: the whole active set; nothing to delete.
    if (from === undefined) {
      return { ...base, from: seq, dedupe: true, parts: ["live", null], commit };
    }
    return { ...base, from, dedupe: true, parts: ["new", "deleted"], commit };
  }

  private cursor(bouncer: number, ip: string): number | undefined {
    return this.sql
      .exec<{ seq: number }>(
        "SELECT seq FROM bouncer_cursors WHERE bouncer = ? AND ip = ?",
        bouncer,
        ip,
      )
      .toArray()[0]?.seq;
  }

  private commit(plan: PullPlan, now: number, userAgent: string | null): void {
    const c = plan.commit;
    if (!c) return;
    this.sql.exec(
      `INSERT INTO bouncer_cursors (bouncer, ip, seq, last_pull, user_agent) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (bouncer, ip) DO UPDATE SET seq = excluded.seq, last_pull = excluded.last_pull,
         user_agent = excluded.user_agent`,
      c.bouncer,
      c.ip,
      plan.upto,
      now,
      userAgent,
    );
  }

  private touch(b: BouncerRow, auth: PullAuth, now: number, throttled: boolean): void {
    const same = b.user_agent === auth.userAgent && b.last_ip === auth.ip;
    if (throttled && same && b.last_pull !== null && now - b.last_pull < LIST_TOUCH_MS) return;
    this.sql.exec(
      "UPDATE bouncers SET last_pull = ?, user_agent = ?, last_ip = ? WHERE id = ?",
      now,
      auth.userAgent,
      auth.ip,
      b.id,
    );
  }
}

/** The last instant ISO 8601 writes with a four-digit year (9999-12-31T23:59:59.999Z). */
const LAST_ISO_MS = 253_402_300_799_999;

/**
 * A stored time as ISO 8601. It never throws: a time out of range (an absurd duration
 * stored before durations were bounded, a corrupt row) is shown clamped to
 * 0000–9999, so one bad row can never take a listing down.
 */
export function iso(ms: number): string {
  const t = Number.isFinite(ms) ? Math.min(LAST_ISO_MS, Math.max(-62_167_219_200_000, ms)) : 0;
  return new Date(t).toISOString();
}
