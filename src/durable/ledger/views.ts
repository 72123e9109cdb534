import type { AdminAlert, AdminAlertDetail, AdminDecision } from "../../contract/admin";
import { lapiDuration, toLapiDecision } from "../../contract/lapi";
import type { LapiAlertOut } from "../../contract/lapi-alert";
import { formatDuration } from "../../core/duration";
import { iso } from "./bouncers";
import type { AlertRecord } from "./records";
import type { LedgerDecisionRow } from "./store";

/**
 * How the Ledger's rows look on the wire: the admin API's decisions and alerts, and
 * CrowdSec's alert JSON for `GET /v1/alerts`.
 */

export type AlertRow = {
  seq: number;
  created: number;
  machine: string | null;
  alert: string;
};

/** Palisade's own detections have no watcher machine. */
const OWN_MACHINE = "palisade";

export function adminDecision(r: LedgerDecisionRow, now: number): AdminDecision {
  const ended = r.deleted_at !== null && r.deleted_at < r.until ? r.deleted_at : r.until;
  const expired = r.deleted_seq === null && r.until <= now;
  return {
    id: r.id,
    uuid: r.uuid,
    origin: r.origin,
    type: r.type,
    scope: r.scope,
    value: r.value,
    scenario: r.scenario,
    alert_id: r.alert_seq,
    created_at: iso(r.start),
    until: iso(r.until),
    duration: lapiDuration(ended - now),
    active: r.deleted_seq === null && r.until > now,
    deleted_at: r.deleted_at === null ? null : iso(r.deleted_at),
    deleted_reason: r.deleted_reason ?? (expired ? "expired" : null),
  };
}

function readAlert(row: AlertRow): AlertRecord {
  return JSON.parse(row.alert) as AlertRecord;
}

export function adminAlert(
  row: AlertRow,
  decisions: readonly LedgerDecisionRow[],
  now: number,
): AdminAlert {
  const a = readAlert(row);
  return {
    id: row.seq,
    scenario: a.scenario,
    message: a.message,
    scope: a.source.scope,
    value: a.source.value,
    events_count: a.events_count,
    start_at: iso(a.start_at),
    stop_at: iso(a.stop_at),
    created_at: iso(row.created),
    machine: row.machine ?? OWN_MACHINE,
    allowlisted: a.allowlisted,
    allowlisted_by: a.allowlisted_by ?? null,
    decisions: decisions.map((d) => adminDecision(d, now)),
  };
}

export function adminAlertDetail(
  row: AlertRow,
  decisions: readonly LedgerDecisionRow[],
  now: number,
): AdminAlertDetail {
  const a = readAlert(row);
  return {
    ...adminAlert(row, decisions, now),
    capacity: a.capacity,
    leakspeed: formatDuration(a.leakspeed),
    remediation: a.remediation,
    labels: a.labels,
    profile: a.profile ?? null,
    source: { ...a.source },
    events: a.events.map((e) => ({ time: iso(e.Time), meta: { ...e.Meta } })),
  };
}

/** CrowdSec's `FormatOneAlert`: empty event and decision lists are `null`. */
export function lapiAlert(
  row: AlertRow,
  decisions: readonly LedgerDecisionRow[],
  now: number,
): LapiAlertOut {
  const a = readAlert(row);
  const { scope, value, ...rest } = a.source;
  const source: LapiAlertOut["source"] = { scope, value };
  for (const k of ["ip", "range", "as_number", "as_name", "cn"] as const) {
    const v = rest[k];
    if (typeof v === "string") source[k] = v;
  }
  return {
    id: row.seq,
    machine_id: row.machine ?? OWN_MACHINE,
    created_at: rfc3339(row.created),
    scenario: a.scenario,
    scenario_hash: a.scenario_hash ?? "",
    scenario_version: a.scenario_version ?? "",
    message: a.message,
    events_count: a.events_count,
    start_at: rfc3339(a.start_at),
    stop_at: rfc3339(a.stop_at),
    capacity: a.capacity,
    leakspeed: formatDuration(a.leakspeed),
    simulated: a.simulated ?? false,
    source,
    events:
      a.events.length === 0
        ? null
        : a.events.map((e) => ({
            timestamp: rfc3339(e.Time),
            meta: Object.entries(e.Meta).map(([key, v]) => ({ key, value: v })),
          })),
    decisions: decisions.length === 0 ? null : decisions.map((d) => toLapiDecision(d, now)),
  };
}

/** Go's `time.RFC3339` (seconds, `Z`). */
function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");
}
