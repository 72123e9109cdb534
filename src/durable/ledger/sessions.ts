import type { ConsoleSession } from "../../contract/admin-stats";
import { iso } from "./bouncers";

/**
 * The console's sessions. The cookie is a random secret the Ledger never sees: rows are
 * keyed by its SHA-256. Each session has its own CSRF token (every console form carries
 * it). Deleting a row revokes the session at its next request.
 */

type SessionRow = {
  id: string;
  who: string;
  via: string;
  csrf: string;
  created: number;
  last_seen: number;
  expires: number;
  ip: string | null;
  user_agent: string | null;
};

export interface SessionStart {
  idHash: string;
  who: string;
  via: "access" | "token";
  csrf: string;
  ttlMs: number;
  ip: string | null;
  userAgent: string | null;
}

/** What a request's session check answers. */
export interface LiveSession {
  id: string;
  who: string;
  via: string;
  csrf: string;
  expires: number;
}

/** last_seen is written at most this often (a page view is not worth a write each). */
const TOUCH_EVERY_MS = 60_000;

export class SessionStore {
  constructor(private readonly sql: SqlStorage) {}

  create(s: SessionStart, now: number): void {
    this.sql.exec("DELETE FROM console_sessions WHERE expires <= ?", now);
    this.sql.exec(
      `INSERT INTO console_sessions (id, who, via, csrf, created, last_seen, expires, ip, user_agent)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      s.idHash,
      s.who,
      s.via,
      s.csrf,
      now,
      now,
      now + s.ttlMs,
      s.ip,
      s.userAgent?.slice(0, 256) ?? null,
    );
  }

  /** The live session of this cookie hash, touched; null when unknown, revoked or expired. */
  check(idHash: string, now: number): LiveSession | null {
    const row = this.sql
      .exec<SessionRow>("SELECT * FROM console_sessions WHERE id = ?", idHash)
      .toArray()[0];
    if (!row || row.expires <= now) return null;
    if (now - row.last_seen >= TOUCH_EVERY_MS) {
      this.sql.exec("UPDATE console_sessions SET last_seen = ? WHERE id = ?", now, idHash);
    }
    return { id: row.id, who: row.who, via: row.via, csrf: row.csrf, expires: row.expires };
  }

  list(now: number): ConsoleSession[] {
    return this.sql
      .exec<SessionRow>(
        "SELECT * FROM console_sessions WHERE expires > ? ORDER BY last_seen DESC",
        now,
      )
      .toArray()
      .map((r) => ({
        id: r.id,
        who: r.who,
        via: r.via,
        created_at: iso(r.created),
        last_seen_at: iso(r.last_seen),
        expires_at: iso(r.expires),
        ip: r.ip,
        user_agent: r.user_agent,
      }));
  }

  /** Revokes one session (by id) or all of them; how many ended. */
  revoke(id: string | null): number {
    const cur =
      id === null
        ? this.sql.exec("DELETE FROM console_sessions")
        : this.sql.exec("DELETE FROM console_sessions WHERE id = ?", id);
    return cur.rowsWritten;
  }
}
