import { DurableObject } from "cloudflare:workers";
import type { EnrollmentKey, EnrollmentKeyRequest, Member } from "../../contract/capi-commons";
import { migrate } from "../../durable/migrate";
import { commonsConfig } from "../config";
import type { TrustDelta } from "../consensus/types";
import type { CommonsEnv } from "../env";
import type { Outcome } from "./outcome";
import { createKey, type EnrollRequest, enroll } from "./registry-keys";
import {
  admitSignals,
  login,
  memberRow,
  memberView,
  register,
  type Session,
  session,
} from "./registry-members";
import {
  addSafe,
  putSafeSource,
  removeSafe,
  type SafeListState,
  safeListState,
  safeListVersion,
} from "./registry-safelist";
import { type MemberRow, REGISTRY_MIGRATIONS } from "./registry-schema";

/**
 * The commons' members (one object, "registry"): credentials, enrollment, trust, daily
 * signal counts, pull cursors, enrollment keys and the operator's safe-list changes.
 * Every request of a member touches it once (a session check, or the admission of a
 * batch of signals), a few SQLite statements each; 10,000 members pulling every two
 * hours and pushing every 30 s when they have signals stay far below what one object
 * serves. Addresses live elsewhere, sharded (AddressShard).
 */
export class Registry extends DurableObject<CommonsEnv> {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: CommonsEnv) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    ctx.blockConcurrencyWhile(async () => {
      migrate(ctx.storage, REGISTRY_MIGRATIONS);
    });
  }

  register(id: string, password: string, now: number): Promise<Outcome<"created" | "unchanged">> {
    return register(this.sql, id, password, now);
  }

  login(id: string, password: string, scenarios: number, now: number): Promise<Outcome<Session>> {
    return login(this.sql, id, password, scenarios, now);
  }

  enroll(req: EnrollRequest, now: number): Promise<Outcome<"enrolled" | "already">> {
    return enroll(this.sql, req, now);
  }

  session(id: string, now: number): Outcome<Session> & { safeVersion: number } {
    return { ...session(this.sql, id, now), safeVersion: safeListVersion(this.sql) };
  }

  admitSignals(
    id: string,
    count: number,
    safeKeys: number,
    now: number,
  ): Outcome<Session> & { safeVersion: number } {
    const config = commonsConfig(this.env);
    const bounds = { enrolled: config.dailySignals, unenrolled: config.unenrolledDailySignals };
    const out = admitSignals(this.sql, id, count, safeKeys, bounds, now);
    return { ...out, safeVersion: safeListVersion(this.sql) };
  }

  setCursor(id: string, version: number): void {
    this.sql.exec("UPDATE members SET cursor = ? WHERE id = ?", version, id);
  }

  metrics(id: string, version: string, now: number): void {
    this.sql.exec(
      "UPDATE members SET version = ?, last_seen = ? WHERE id = ?",
      version.slice(0, 128),
      now,
      id,
    );
  }

  /** Trust outcomes from the shards (corroborated and uncorroborated reports). */
  credit(deltas: readonly { member: string; delta: TrustDelta }[]): void {
    for (const { member, delta } of deltas) {
      this.sql.exec(
        "UPDATE members SET corroborated = corroborated + ?, uncorroborated = uncorroborated + ? WHERE id = ?",
        delta.corroborated,
        delta.uncorroborated,
        member,
      );
    }
  }

  createKey(req: EnrollmentKeyRequest, now: number): Promise<EnrollmentKey> {
    return createKey(this.sql, req, now);
  }

  members(now: number): Member[] {
    const rows = this.sql.exec<MemberRow>("SELECT * FROM members ORDER BY created_at, id");
    return rows.toArray().map((m) => memberView(this.sql, m, now));
  }

  member(id: string, now: number): Member | undefined {
    const m = memberRow(this.sql, id);
    return m ? memberView(this.sql, m, now) : undefined;
  }

  /** Display names for an explanation. */
  names(ids: readonly string[]): Record<string, string> {
    const out: Record<string, string> = {};
    for (const id of ids) {
      const m = memberRow(this.sql, id);
      if (m) out[id] = m.name;
    }
    return out;
  }

  /** Revokes a member: its credentials stop working and its enrollment ends. */
  revoke(id: string, now: number): boolean {
    const m = memberRow(this.sql, id);
    if (!m) return false;
    this.sql.exec(
      "UPDATE members SET revoked_at = COALESCE(revoked_at, ?), enrolled_at = NULL WHERE id = ?",
      now,
      id,
    );
    return true;
  }

  counts(): { members: number; enrolled: number } {
    const r = this.sql
      .exec<{ members: number; enrolled: number }>(
        "SELECT COUNT(*) AS members, COUNT(enrolled_at) AS enrolled FROM members WHERE revoked_at IS NULL",
      )
      .one();
    return { members: r.members, enrolled: r.enrolled };
  }

  safeListVersion(): number {
    return safeListVersion(this.sql);
  }

  safeList(): SafeListState {
    return safeListState(this.sql);
  }

  addSafe(cidr: string, reason: string, now: number): number {
    return addSafe(this.sql, cidr, reason, now);
  }

  removeSafe(cidr: string, now: number): number {
    return removeSafe(this.sql, cidr, now);
  }

  putSafeSource(name: string, body: string, now: number): number {
    return putSafeSource(this.sql, name, body, now);
  }
}
