import type {
  AdminAlert,
  AdminAlertDetail,
  AdminAlertEvent,
  AdminAlertOrigin,
  AdminDecision,
} from "../../contract/admin";
import { lapiDuration, toLapiDecision } from "../../contract/lapi";
import type { LapiAlertOut } from "../../contract/lapi-alert";
import { formatDuration } from "../../core/duration";
import type { Event } from "../../core/event";
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
  const events = a.events.map(evidence);
  return {
    ...adminAlert(row, decisions, now),
    capacity: a.capacity,
    leakspeed: formatDuration(a.leakspeed),
    remediation: a.remediation,
    labels: a.labels,
    profile: a.profile ?? null,
    source: { ...a.source },
    origins: originsOf(events),
    events,
  };
}

function evidence(e: Event): AdminAlertEvent {
  // A watcher's event is rebuilt from its meta with an empty line: no raw text exists.
  const raw = e.Line.Module === "lapi" ? null : e.Line.Raw;
  return {
    time: iso(e.Time),
    meta: { ...e.Meta },
    raw,
    parsed: { ...e.Parsed },
    machine: e.Line.Machine ?? null,
    src: e.Line.Src,
    labels: { ...e.Line.Labels },
  };
}

/** Distinct (machine, src, labels) of the sampled events, in order of first appearance. */
function originsOf(events: readonly AdminAlertEvent[]): AdminAlertOrigin[] {
  const by = new Map<string, AdminAlertOrigin>();
  for (const e of events) {
    if (e.raw === null) continue;
    const key = JSON.stringify([e.machine, e.src, e.labels]);
    const known = by.get(key);
    if (known) known.events++;
    else by.set(key, { machine: e.machine, src: e.src, labels: e.labels, events: 1 });
  }
  return [...by.values()];
}

/**
 * CrowdSec's `FormatOneAlert`, keys in its (alphabetical) order: empty event and decision
 * lists are `null`, `meta` only when set (Go's `omitempty`; `remediation`, which CrowdSec
 * does not keep, never), and each decision carries the alert's `simulated`, which cscli
 * reads unconditionally.
 */
export function lapiAlert(
  row: AlertRow,
  decisions: readonly LedgerDecisionRow[],
  now: number,
): LapiAlertOut {
  const a = readAlert(row);
  const simulated = a.simulated ?? false;
  const out: LapiAlertOut = {
    capacity: a.capacity,
    created_at: rfc3339(row.created),
    decisions:
      decisions.length === 0
        ? null
        : decisions.map((d) => withKeysSorted({ ...toLapiDecision(d, now), simulated })),
    events: a.events.length === 0 ? null : a.events.map(lapiEvent),
    events_count: a.events_count,
    id: row.seq,
    labels: a.tags && a.tags.length > 0 ? [...a.tags] : null,
    leakspeed: formatDuration(a.leakspeed),
    machine_id: row.machine ?? OWN_MACHINE,
    message: a.message,
    scenario: a.scenario,
    scenario_hash: a.scenario_hash ?? "",
    scenario_version: a.scenario_version ?? "",
    simulated,
    source: lapiSource(a.source),
    start_at: rfc3339(a.start_at),
    stop_at: rfc3339(a.stop_at),
  };
  if (a.meta && a.meta.length > 0) out.meta = a.meta.map((m) => ({ ...m }));
  return withKeysSorted(out);
}

function lapiSource(s: AlertRecord["source"]): LapiAlertOut["source"] {
  const { scope, value, ...rest } = s;
  const source: LapiAlertOut["source"] = { scope, value };
  for (const k of ["ip", "range", "as_number", "as_name", "cn"] as const) {
    const v = rest[k];
    if (typeof v === "string" && v !== "") source[k] = v;
  }
  for (const k of ["latitude", "longitude"] as const) {
    const v = rest[k];
    if (typeof v === "number" && v !== 0) source[k] = v;
  }
  return withKeysSorted(source);
}

function lapiEvent(e: AlertRecord["events"][number]): { timestamp: string; meta: MetaItem[] } {
  return {
    meta: Object.entries(e.Meta).map(([key, value]) => ({ key, value })),
    timestamp: rfc3339(e.Time),
  };
}

type MetaItem = { key: string; value: string };

/** Go marshals a generated model's fields in declaration order, which is alphabetical. */
function withKeysSorted<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1))) as T;
}

/** Go's `time.RFC3339` (seconds, `Z`); clamped like `iso`, never throwing. */
function rfc3339(ms: number): string {
  return iso(Math.floor(ms / 1000) * 1000).replace(".000Z", "Z");
}

/**
 * Renders rows one by one: a row that cannot be rendered (a corrupt stored alert) is
 * left out and logged with its id, so the rest of the listing is still served.
 */
export function renderEach<R, T>(
  rows: readonly R[],
  render: (row: R) => T,
  idOf: (row: R) => number,
  what: string,
): T[] {
  const out: T[] = [];
  for (const row of rows) {
    try {
      out.push(render(row));
    } catch (e) {
      console.error("palisade.ledger.unrenderable", {
        what,
        id: idOf(row),
        error: e instanceof Error ? e.message : String(e),
        message: `${what} ${idOf(row)} could not be rendered and is left out of the listing.`,
      });
    }
  }
  return out;
}
