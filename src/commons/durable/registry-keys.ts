import type { EnrollmentKey, EnrollmentKeyRequest } from "../../contract/capi-commons";
import { parseDuration } from "../../core/duration";
import { type Outcome, ok, refuse } from "./outcome";
import { memberRow } from "./registry-members";
import { hashToken, randomToken } from "./secret";

/**
 * Enrollment: registration is open, but a member's signals count only once the operator
 * has given it a key (`cscli console enroll KEY`). A key is kept as its SHA-256, may serve
 * several members (`uses`) and expires.
 */

const DEFAULT_TTL_MS = 7 * 86_400_000;

export async function createKey(
  sql: SqlStorage,
  req: EnrollmentKeyRequest,
  now: number,
): Promise<EnrollmentKey> {
  const key = randomToken(32);
  const ttl = req.ttl === undefined ? DEFAULT_TTL_MS : (parseDuration(req.ttl) ?? DEFAULT_TTL_MS);
  const uses = req.uses ?? 1;
  const expires = now + Math.max(60_000, ttl);
  sql.exec(
    "INSERT INTO enrollment_keys (hash, created_at, expires_at, uses_left, uses, note, tags) VALUES (?, ?, ?, ?, ?, ?, ?)",
    await hashToken(key),
    now,
    expires,
    uses,
    uses,
    req.note ?? "",
    JSON.stringify(req.tags ?? []),
  );
  return { key, uses, expires_at: new Date(expires).toISOString(), note: req.note ?? "" };
}

export interface EnrollRequest {
  id: string;
  key: string;
  name: string;
  tags: readonly string[];
  overwrite: boolean;
}

/** "enrolled" (202 for the engine), "already" (200: cscli warns and goes on). */
export async function enroll(
  sql: SqlStorage,
  req: EnrollRequest,
  now: number,
): Promise<Outcome<"enrolled" | "already">> {
  const m = memberRow(sql, req.id);
  if (!m || m.revoked_at !== null)
    return refuse(403, "member_revoked", `member ${req.id} cannot enroll: it was revoked.`);
  if (m.enrolled_at !== null && !req.overwrite) return ok("already");
  const hash = await hashToken(req.key);
  const k = sql
    .exec<{ expires_at: number; uses_left: number; tags: string }>(
      "SELECT expires_at, uses_left, tags FROM enrollment_keys WHERE hash = ?",
      hash,
    )
    .toArray()[0];
  const why = !k
    ? "no such key"
    : k.expires_at <= now
      ? `it expired at ${new Date(k.expires_at).toISOString()}`
      : k.uses_left <= 0
        ? "it has been used as many times as it allows"
        : undefined;
  if (why || !k)
    return refuse(
      403,
      "invalid_enrollment_key",
      `invalid enrollment key: ${why}. Ask the commons operator for a key (npx palisade commons keys add).`,
      "body.attachment_key",
    );
  const tags = [...new Set([...(JSON.parse(k.tags) as string[]), ...req.tags])];
  sql.exec("UPDATE enrollment_keys SET uses_left = uses_left - 1 WHERE hash = ?", hash);
  sql.exec(
    "UPDATE members SET enrolled_at = ?, name = ?, tags = ? WHERE id = ?",
    now,
    req.name,
    JSON.stringify(tags),
    req.id,
  );
  return ok("enrolled");
}
