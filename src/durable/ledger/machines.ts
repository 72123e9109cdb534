import type { Machine } from "../../contract/admin-access";
import { metaText, setMeta } from "../migrate";
import { iso } from "./bouncers";
import { findHash } from "./token";

/**
 * Machines: the shippers' ingest tokens, which are also the watcher passwords of
 * CrowdSec agents and cscli (`machine_id` = the machine's name). Tokens are kept as
 * SHA-256 and compared in constant time with every stored hash.
 */
export class MachineStore {
  constructor(private readonly sql: SqlStorage) {}

  /** Every machine's name and token hash (ingest compares a token with all of them). */
  hashes(): { name: string; token_hash: string }[] {
    return this.sql
      .exec<{ name: string; token_hash: string }>("SELECT name, token_hash FROM machines")
      .toArray();
  }

  remove(name: string): boolean {
    return this.sql.exec("DELETE FROM machines WHERE name = ?", name).rowsWritten > 0;
  }

  /** False when the name is taken. */
  create(name: string, tokenHash: string, now: number): boolean {
    const taken = this.sql.exec("SELECT 1 FROM machines WHERE name = ?", name).toArray();
    if (taken.length > 0) return false;
    this.sql.exec(
      "INSERT INTO machines (name, token_hash, created) VALUES (?, ?, ?)",
      name,
      tokenHash,
      now,
    );
    return true;
  }

  list(): Machine[] {
    return this.sql
      .exec<{ name: string; created: number; last_seen: number | null }>(
        "SELECT name, created, last_seen FROM machines ORDER BY name",
      )
      .toArray()
      .map((m) => ({
        name: m.name,
        created_at: iso(m.created),
        last_seen: m.last_seen === null ? null : iso(m.last_seen),
      }));
  }

  /** A watcher login: the machine exists and the password is its token. */
  login(name: string, tokenHash: string, now: number): boolean {
    const rows = this.sql
      .exec<{ name: string; token_hash: string }>(
        "SELECT name, token_hash FROM machines WHERE name = ?",
        name,
      )
      .toArray();
    if (!findHash(tokenHash, rows)) return false;
    this.seen(name, now);
    return true;
  }

  exists(name: string): boolean {
    return this.sql.exec("SELECT 1 FROM machines WHERE name = ?", name).toArray().length > 0;
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
