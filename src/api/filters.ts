import type { AdminAlertsQuery } from "../contract/admin";
import type { LapiDecisionsQuery } from "../contract/lapi";
import type { LapiAlertsQuery } from "../contract/lapi-alert";
import { parseDuration } from "../core/duration";
import { normalizeCidr, normalizeIp } from "../core/ip";
import { normalizeScope } from "../core/profile/index";
import type { AlertQuery, DecisionFilter } from "../durable/ledger/index";
import { ipKeyOfText } from "../durable/ledger/index";
import { PalisadeHttpError } from "../http/error";

/** Query strings → the Ledger's filters, with CrowdSec's meanings. */

export interface DecisionFilterQuery {
  scopes?: string[] | undefined;
  scope?: string[] | string | undefined;
  origins?: string[] | undefined;
  origin?: string | undefined;
  scenarios_containing?: string[] | undefined;
  scenarios_not_containing?: string[] | undefined;
  scenario?: string | undefined;
  type?: string | undefined;
  value?: string | undefined;
  ip?: string | undefined;
  range?: string | undefined;
  contains?: boolean | undefined;
}

export function lapiFilter(
  q: LapiDecisionsQuery | DecisionFilterQuery,
  status: 400 | 422 = 400,
): DecisionFilter {
  const f: DecisionFilter = {};
  const scopes = q.scopes ?? q.scope;
  if (scopes !== undefined) {
    f.scopes = (typeof scopes === "string" ? [scopes] : scopes).map(normalizeScope);
  }
  const origins = q.origins ?? ("origin" in q && q.origin !== undefined ? [q.origin] : undefined);
  if (origins !== undefined) f.origins = origins;
  if (q.scenarios_containing) f.scenarioContains = q.scenarios_containing;
  if (q.scenarios_not_containing) f.scenarioExcludes = q.scenarios_not_containing;
  if ("scenario" in q && q.scenario !== undefined) f.scenario = q.scenario;
  if (q.type !== undefined) f.types = [q.type];
  if (q.value !== undefined) f.value = canonicalValue(q.value);
  const where = q.ip !== undefined ? "ip" : "range";
  const text = q.ip ?? q.range;
  if (text !== undefined) {
    const key = ipKeyOfText(text);
    if (!key) {
      throw new PalisadeHttpError(
        status,
        "invalid_query",
        `query.${where}: ${JSON.stringify(text)} is not an IP address or CIDR range.`,
        {
          path: `query.${where}`,
        },
      );
    }
    f.ip = { key, contains: q.contains ?? true };
  }
  return f;
}

/** An IP or CIDR in its canonical text (what the Ledger stores); anything else as given. */
export function canonicalValue(value: string): string {
  return normalizeIp(value) ?? (value.includes("/") ? normalizeCidr(value) : undefined) ?? value;
}

/** Filters both alert listings share. */
function baseAlertQuery(
  q: AdminAlertsQuery | LapiAlertsQuery,
  now: number,
  limit: number,
  status: 400 | 422,
): AlertQuery {
  const out: AlertQuery = { limit };
  const value = q.ip ?? q.range ?? q.value;
  if (value !== undefined) out.value = canonicalValue(value);
  if (q.scope !== undefined) out.scope = normalizeScope(q.scope);
  if (q.since !== undefined) out.since = pointInTime(q.since, now, "since", status);
  if (q.until !== undefined) out.until = pointInTime(q.until, now, "until", status);
  if (q.origin !== undefined) out.origin = q.origin;
  return out;
}

/** The admin API's alert filters (scenario: a substring). */
export function adminAlertQuery(q: AdminAlertsQuery, now: number): AlertQuery {
  const out = baseAlertQuery(q, now, q.limit ?? 50, 422);
  if (q.scenario !== undefined) out.scenarioContains = q.scenario;
  if (q.has_active_decision !== undefined) out.activeDecision = q.has_active_decision;
  if (q.allowlisted !== undefined) out.allowlisted = q.allowlisted;
  if (q.type !== undefined) out.type = q.type;
  if (q.cursor !== undefined) out.cursor = q.cursor;
  return out;
}

/** `GET /v1/alerts` filters, as CrowdSec reads them (scenario: exact). */
export function lapiAlertQuery(q: LapiAlertsQuery, now: number): AlertQuery {
  const out = baseAlertQuery(q, now, q.limit ?? 100, 400);
  if (q.scenario !== undefined) out.scenario = q.scenario;
  if (q.has_active_decision !== undefined) out.activeDecision = q.has_active_decision === "true";
  if (q.decision_type !== undefined) out.type = q.decision_type;
  return out;
}

/** `24h` (that long ago, as CrowdSec's `since`) or an ISO time; ms since the epoch. */
function pointInTime(text: string, now: number, key: string, status: 400 | 422): number {
  const ago = parseDuration(text);
  if (ago !== undefined) return now - ago;
  const at = Date.parse(text);
  if (!Number.isNaN(at)) return at;
  throw new PalisadeHttpError(
    status,
    "invalid_query",
    `query.${key}: ${JSON.stringify(text)} is neither a duration (24h) nor an ISO time.`,
    {
      path: `query.${key}`,
    },
  );
}
