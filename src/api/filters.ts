import type { AdminAlertsQuery } from "../contract/admin";
import type { LapiDecisionsQuery } from "../contract/lapi";
import { type LapiAlertsQuery, MAX_ALERTS_PAGE } from "../contract/lapi-alert";
import { DECISION_ORIGINS } from "../core/decision";
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

/** The admin API's alert filters (scenario: a substring; ip/range: the alert's source). */
export function adminAlertQuery(q: AdminAlertsQuery, now: number): AlertQuery {
  const out: AlertQuery = { limit: q.limit ?? 50 };
  const value = q.ip ?? q.range ?? q.value;
  if (value !== undefined) out.value = canonicalValue(value);
  if (q.scope !== undefined) out.scope = normalizeScope(q.scope);
  if (q.since !== undefined) out.since = pointInTime(q.since, now, "since", 422);
  if (q.until !== undefined) out.until = pointInTime(q.until, now, "until", 422);
  if (q.origin !== undefined) out.origin = q.origin;
  if (q.scenario !== undefined) out.scenarioContains = q.scenario;
  if (q.has_active_decision !== undefined) out.activeDecision = q.has_active_decision;
  if (q.allowlisted !== undefined) out.allowlisted = q.allowlisted;
  if (q.type !== undefined) out.type = q.type;
  if (q.cursor !== undefined) out.cursor = q.cursor;
  return out;
}

/** Origins `include_capi=false` leaves out: the community list and third-party lists. */
const LIST_ORIGINS = [DECISION_ORIGINS.community, DECISION_ORIGINS.lists];

/**
 * `GET|DELETE /v1/alerts` filters as CrowdSec 1.4.6 reads them: `ip`/`range` select
 * alerts with a decision on that address (or a range around it; `contains=false`: inside
 * it), `scenario` is exact, `limit=0` is every alert (up to MAX_ALERTS_PAGE). Unlike
 * CrowdSec, `include_capi=false` keeps alerts that have no decision (Palisade's
 * allowlisted ones) and leaves out only the lists' (CrowdSec keeps only `crowdsec` and
 * `cscli` origins, which would hide Palisade's own detections).
 */
export function lapiAlertQuery(q: LapiAlertsQuery, now: number, defaultLimit = 100): AlertQuery {
  const limit = q.limit === undefined ? defaultLimit : q.limit;
  const out: AlertQuery = {
    limit: limit === 0 ? MAX_ALERTS_PAGE : Math.min(limit, MAX_ALERTS_PAGE),
  };
  if (q.value !== undefined) out.value = canonicalValue(q.value);
  if (q.scope !== undefined) out.scope = normalizeScope(q.scope);
  if (q.since !== undefined) out.since = pointInTime(q.since, now, "since", 400);
  if (q.until !== undefined) out.until = pointInTime(q.until, now, "until", 400);
  if (q.created_before !== undefined) {
    out.createdBefore = pointInTime(q.created_before, now, "created_before", 400);
  }
  if (q.origin !== undefined) out.origin = q.origin;
  else if (isFalse(q.include_capi)) out.excludeOrigins = LIST_ORIGINS;
  if (q.scenario !== undefined) out.scenario = q.scenario;
  if (q.has_active_decision !== undefined) out.activeDecision = !isFalse(q.has_active_decision);
  if (q.decision_type !== undefined) out.type = q.decision_type;
  if (isFalse(q.simulated)) out.simulated = false;
  const where = q.ip !== undefined ? "ip" : "range";
  const text = q.ip ?? q.range;
  if (text !== undefined) {
    const key = ipKeyOfText(text);
    if (!key) {
      throw new PalisadeHttpError(
        400,
        "invalid_query",
        `query.${where}: ${JSON.stringify(text)} is not an IP address or CIDR range.`,
        { path: `query.${where}` },
      );
    }
    out.decisionIp = { key, contains: !isFalse(q.contains) };
  }
  return out;
}

function isFalse(flag: string | undefined): boolean {
  return flag === "false" || flag === "0";
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
