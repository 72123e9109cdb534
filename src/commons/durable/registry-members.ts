import type { Member } from "../../contract/capi-commons";
import { DEFAULT_TRUST } from "../consensus/params";
import { trustOf } from "../consensus/trust";
import { boundRefusal, utcDay } from "../policy/bound";
import { type Outcome, ok, refuse } from "./outcome";
import type { MemberRow } from "./registry-schema";
import { passwordHash, randomToken, sameHash } from "./secret";

/** Members: registration, login, sessions, signal admission, trust. SQL over the Registry. */

export interface Session {
  id: string;
  enrolled: boolean;
  trust: number;
  cursor: number | null;
}

export function memberRow(sql: SqlStorage, id: string): MemberRow | undefined {
  return sql.exec<MemberRow>("SELECT * FROM members WHERE id = ?", id).toArray()[0];
}

export function trustOfRow(m: MemberRow): number {
  return trustOf(
    { corroborated: m.corroborated, uncorroborated: m.uncorroborated, safe: m.safe },
    DEFAULT_TRUST,
  );
}

export async function register(
  sql: SqlStorage,
  id: string,
  password: string,
  now: number,
): Promise<Outcome<"created" | "unchanged">> {
  const known = memberRow(sql, id);
  if (known) {
    if (known.revoked_at !== null) return revoked(id);
    if (sameHash(await passwordHash(known.salt, password), known.hash)) return ok("unchanged");
    return refuse(
      409,
      "machine_id_taken",
      `machine_id ${id} is already registered with another password. Engines generate a fresh machine_id; register under a new one (cscli capi register) or log in with the password saved in online_api_credentials.yaml.`,
      "body.machine_id",
    );
  }
  const salt = randomToken(16);
  sql.exec(
    "INSERT INTO members (id, salt, hash, created_at) VALUES (?, ?, ?, ?)",
    id,
    salt,
    await passwordHash(salt, password),
    now,
  );
  return ok("created");
}

export async function login(
  sql: SqlStorage,
  id: string,
  password: string,
  scenarios: number,
  now: number,
): Promise<Outcome<Session>> {
  const m = memberRow(sql, id);
  const bad = refuse(
    401,
    "bad_credentials",
    "incorrect Username or Password: no member with this machine_id and password (register first with cscli capi register, then use the credentials it saved).",
  );
  if (!m) return bad;
  if (!sameHash(await passwordHash(m.salt, password), m.hash)) return bad;
  if (m.revoked_at !== null) return revoked(id);
  sql.exec("UPDATE members SET last_seen = ?, scenarios = ? WHERE id = ?", now, scenarios, id);
  return ok(sessionOf(m));
}

function revoked(id: string) {
  return refuse(
    403,
    "member_revoked",
    `member ${id} was revoked by the commons operator; its credentials no longer work. Ask the operator, who can enroll a newly registered machine.`,
  );
}

function sessionOf(m: MemberRow): Session {
  return { id: m.id, enrolled: m.enrolled_at !== null, trust: trustOfRow(m), cursor: m.cursor };
}

/** The member behind a JWT, still there and not revoked. */
export function session(sql: SqlStorage, id: string, now: number): Outcome<Session> {
  const m = memberRow(sql, id);
  if (!m)
    return refuse(401, "unknown_member", `no member ${id}: log in again (its token is stale).`);
  if (m.revoked_at !== null) return revoked(id);
  if (m.last_seen === null || now - m.last_seen > 60_000)
    sql.exec("UPDATE members SET last_seen = ? WHERE id = ?", now, id);
  return ok(sessionOf(m));
}

/** Counts a batch against the daily bound, all or nothing; credits its safe-listed reports. */
export function admitSignals(
  sql: SqlStorage,
  id: string,
  count: number,
  safeKeys: number,
  bounds: { enrolled: number; unenrolled: number },
  now: number,
): Outcome<Session> {
  const s = session(sql, id, now);
  if (!s.ok) return s;
  const bound = s.value.enrolled ? bounds.enrolled : bounds.unenrolled;
  const day = utcDay(now);
  const sent =
    sql
      .exec<{ signals: number }>("SELECT signals FROM daily WHERE member = ? AND day = ?", id, day)
      .toArray()[0]?.signals ?? 0;
  const refusal = boundRefusal(id, sent, count, bound, now);
  if (refusal) return refuse(429, "daily_bound", refusal);
  sql.exec(
    "INSERT INTO daily (member, day, signals) VALUES (?, ?, ?) ON CONFLICT (member, day) DO UPDATE SET signals = signals + excluded.signals",
    id,
    day,
    count,
  );
  if (safeKeys > 0 && s.value.enrolled)
    sql.exec("UPDATE members SET safe = safe + ? WHERE id = ?", safeKeys, id);
  return s;
}

export function memberView(sql: SqlStorage, m: MemberRow, now: number): Member {
  const day = utcDay(now);
  const rows = sql
    .exec<{ day: number; signals: number }>(
      "SELECT day, signals FROM daily WHERE member = ? AND day > ?",
      m.id,
      day - 7,
    )
    .toArray();
  const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
  return {
    machine_id: m.id,
    name: m.name,
    tags: JSON.parse(m.tags) as string[],
    enrolled: m.enrolled_at !== null && m.revoked_at === null,
    enrolled_at: iso(m.enrolled_at),
    revoked: m.revoked_at !== null,
    trust: Math.round(trustOfRow(m) * 1000) / 1000,
    corroborated: m.corroborated,
    uncorroborated: m.uncorroborated,
    safe_reports: m.safe,
    created_at: new Date(m.created_at).toISOString(),
    last_seen: iso(m.last_seen),
    signals_today: rows.find((r) => r.day === day)?.signals ?? 0,
    signals_per_day: Math.round((rows.reduce((n, r) => n + r.signals, 0) / 7) * 10) / 10,
    version: m.version,
  };
}
