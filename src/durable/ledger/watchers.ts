import type { LapiAlertIn, LapiDecisionIn } from "../../contract/lapi-alert";
import type { Alert, AlertSource } from "../../core/alert";
import type { Allowlist } from "../../core/allowlist";
import type { DecisionHistory } from "../../core/decision";
import { parseDuration } from "../../core/duration";
import { type Event, newEvent } from "../../core/event";
import { normalizeCidr, normalizeIp } from "../../core/ip";
import { type CompiledProfile, decide, normalizeScope } from "../../core/profile/index";
import {
  ALERT_EVENT_SAMPLE,
  type AlertRecord,
  alertRecordOf,
  type DecisionInput,
  type RecordItem,
} from "./records";

/**
 * Alerts pushed by a CrowdSec agent or cscli (`POST /v1/alerts`), as CrowdSec's LAPI
 * takes them: an alert carrying decisions (cscli's `decisions add`, imports) is recorded
 * with them as sent; one without goes through the profiles (Palisade's built-in ones,
 * with this Ledger's decision history for escalation and the built-in + operator
 * allowlist). Decisions the profiles make get origin `crowdsec` (the engine that
 * detected them), as in CrowdSec; Palisade's own detections are `palisade`.
 */

export interface WatcherContext {
  machine: string;
  now: number;
  profiles: readonly CompiledProfile[];
  allowlist: Allowlist;
  history: DecisionHistory;
}

/** Escalation from the Ledger's own decisions (every origin), by exact value. */
export class SqlDecisionHistory implements DecisionHistory {
  constructor(private readonly sql: SqlStorage) {}

  count(value: string, sinceMs?: number): number {
    const row = this.sql
      .exec<{ n: number }>(
        "SELECT COUNT(*) AS n FROM decisions WHERE value = ? AND start > ?",
        value,
        sinceMs ?? Number.MIN_SAFE_INTEGER,
      )
      .one();
    return Number(row.n);
  }
}

export function watcherItem(a: LapiAlertIn, ctx: WatcherContext): RecordItem {
  const alert = coreAlert(a, ctx.now);
  const given = (a.decisions ?? []).flatMap((d) => givenDecision(d, ctx.now) ?? []);
  let decisions = given;
  let record = alertRecord(a, alert);
  if (given.length === 0) {
    const result = decide(alert, ctx.profiles, {
      history: ctx.history,
      allowlist: ctx.allowlist,
      now: ctx.now,
    });
    decisions = result.decisions.map((d) => ({
      type: d.type,
      scope: d.scope,
      value: d.value,
      origin: d.origin.replace(/^palisade/, "crowdsec"),
      scenario: d.scenario,
      start: d.start ?? ctx.now,
      until: d.until ?? ctx.now + d.duration,
    }));
    record = { ...record, allowlisted: result.allowlisted };
    const by = result.allowlistedBy;
    if (by) record.allowlisted_by = `${by.reason} (${by.match})`;
    if (result.profile !== undefined) record.profile = result.profile;
  }
  return {
    ref: `watcher:${ctx.machine}:${crypto.randomUUID()}`,
    alert: record,
    decisions,
    machine: ctx.machine,
  };
}

function givenDecision(d: LapiDecisionIn, now: number): DecisionInput | undefined {
  const ms = parseDuration(d.duration);
  if (ms === undefined || ms <= 0) return undefined;
  const scope = normalizeScope(d.scope);
  return {
    type: d.type,
    scope,
    value: canonicalValue(scope, d.value),
    origin: d.origin,
    scenario: d.scenario,
    start: now,
    until: now + ms,
  };
}

export function canonicalValue(scope: string, value: string): string {
  if (scope === "Ip") return normalizeIp(value) ?? value;
  if (scope === "Range") return normalizeCidr(value) ?? value;
  if (scope === "Country") return value.toUpperCase();
  return value;
}

function coreAlert(a: LapiAlertIn, now: number): Alert {
  const scope = normalizeScope(a.source.scope);
  const source: AlertSource = { scope, value: canonicalValue(scope, a.source.value) };
  const ip = a.source.ip ?? (scope === "Ip" ? source.value : undefined);
  if (ip !== undefined) source.ip = normalizeIp(ip) ?? ip;
  if (a.source.range !== undefined) source.range = a.source.range;
  return {
    scenario: a.scenario,
    message: a.message ?? "",
    source,
    events_count: a.events_count ?? a.events?.length ?? 0,
    start_at: goTime(a.start_at) ?? now,
    stop_at: goTime(a.stop_at) ?? now,
    capacity: a.capacity ?? 0,
    leakspeed: (a.leakspeed && parseDuration(a.leakspeed)) || 0,
    labels: {},
    remediation: a.remediation ?? false,
    events: (a.events ?? []).slice(-ALERT_EVENT_SAMPLE).map((e) => lapiEvent(e, now)),
  };
}

function alertRecord(a: LapiAlertIn, alert: Alert): AlertRecord {
  const extra: Record<string, unknown> = {};
  for (const k of ["as_number", "as_name", "cn", "latitude", "longitude"] as const) {
    if (a.source[k] !== undefined) extra[k] = a.source[k];
  }
  const record = alertRecordOf(alert, false);
  record.source = { ...alert.source, ...extra };
  record.simulated = a.simulated ?? false;
  if (a.scenario_hash !== undefined) record.scenario_hash = a.scenario_hash;
  if (a.scenario_version !== undefined) record.scenario_version = a.scenario_version;
  return record;
}

function lapiEvent(e: NonNullable<LapiAlertIn["events"]>[number], now: number): Event {
  const ev = newEvent("", { src: "lapi", module: "lapi", labels: {} });
  ev.Time = goTime(e.timestamp) ?? now;
  for (const m of e.meta ?? []) ev.Meta[m.key] = m.value;
  return ev;
}

/**
 * RFC 3339 (what agents send), or Go's `time.Time.String()` form
 * (`2024-05-01 10:00:00.123 +0000 UTC`) that older agents wrote.
 */
function goTime(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const direct = Date.parse(text);
  if (!Number.isNaN(direct)) return direct;
  const m = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d(?:\.\d+)?) ([+-]\d\d)(\d\d)/.exec(text);
  if (!m) return undefined;
  const ms = Date.parse(`${m[1]}T${m[2]}${m[3]}:${m[4]}`);
  return Number.isNaN(ms) ? undefined : ms;
}
