import type { Machine, MachineRole } from "../../contract/admin-access";
import { metaText, setMeta } from "../migrate";
import { iso } from "./bouncers";
import { findHash } from "./token";

/**
 * Machines: ingest machines (a shipper's bearer token) and watchers (a CrowdSec agent's
 * or cscli's login, `machine_id` = the name, password = the token). Tokens are kept as
 * SHA-256 and compared in constant time with every stored hash.
 */

type MachineRow = { id: number; name: string; token_hash: string; role: MachineRole };

/** A watcher login: the machine's row id goes into its JWT, so a re-made namesake is not it. */
export type LoginResult = { ok: true; mid: number } | { ok: false; role?: MachineRole };

export class MachineStore {
  constructor(private readonly sql: SqlStorage) {}

  /** The machine whose token hashes to `tokenHash` (every stored hash is compared). */
  byToken(tokenHash: string): { name: string; role: MachineRole } | undefined {
    const rows = this.sql
      .exec<MachineRow>("SELECT id, name, token_hash, role FROM machines")
      .toArray();
    const m = findHash(tokenHash, rows);
    return m ? { name: m.name, role: m.role } : undefined;
  }

  remove(name: string): boolean {
    return this.sql.exec("DELETE FROM machines WHERE name = ?", name).rowsWritten > 0;
  }

  /** False when the name is taken. */
  create(name: string, tokenHash: string, role: MachineRole, now: number): boolean {
    const taken = this.sql.exec("SELECT 1 FROM machines WHERE name = ?", name).toArray();
    if (taken.length > 0) return false;
    this.sql.exec(
      "INSERT INTO machines (name, token_hash, created, role) VALUES (?, ?, ?, ?)",
      name,
      tokenHash,
      now,
      role,
    );
    return true;
  }

  list(): Machine[] {
    return this.sql
      .exec<{ name: string; role: MachineRole; created: number; last_seen: number | null }>(
        "SELECT name, role, created, last_seen FROM machines ORDER BY name",
      )
      .toArray()
      .map((m) => ({
        name: m.name,
        role: m.role,
        created_at: iso(m.created),
        last_seen: m.last_seen === null ? null : iso(m.last_seen),
      }));
  }

  /**
   * A watcher login: the machine exists, the password is its token and it is a watcher.
   * A right password on an ingest machine says so (`role`), so the error can tell why.
   */
  login(name: string, tokenHash: string, now: number): LoginResult {
    const rows = this.sql
      .exec<MachineRow>("SELECT id, name, token_hash, role FROM machines WHERE name = ?", name)
      .toArray();
    const m = findHash(tokenHash, rows);
    if (!m) return { ok: false };
    if (m.role !== "watcher") return { ok: false, role: m.role };
    this.seen(name, now);
    return { ok: true, mid: m.id };
  }

  /** The watcher a JWT names still exists: same name, same row (not a later namesake). */
  isWatcher(name: string, mid: number): boolean {
    return (
      this.sql
        .exec("SELECT 1 FROM machines WHERE name = ? AND id = ? AND role = 'watcher'", name, mid)
        .toArray().length > 0
    );
  }

  seen(name: string, now: number): void {
    this.sql.exec("UPDATE machines SET last_seen = ? WHERE name = ?", now, name);
  }

  /** The HMAC key of watcher JWTs: random, made on first use, never leaves the Worker. */
  jwtSecret(): string {
    let secret = metaText(this.sql, "jwt_secret");
    if (!secret) {
      const bytes = crypto.getRandomValues(new Uint8Array(32));
      secret = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
      setMeta(this.sql, "jwt_secret", secret);
    }
    return secret;
  }
}
