import type { Alert } from "../alert";
import { quote } from "../config-file";
import { type Diagnostic, warning } from "../diagnostic";
import { formatDuration, parseDuration } from "../duration";
import type { Event } from "../event";
import { type CompiledExpr, ExprEvalError, type HostFunction } from "../expr";
import { ipToRange, ipVersion, normalizeCidr, normalizeIp } from "../ip";

/**
 * What profile and allowlist expressions see. CrowdSec evaluates them against its
 * `models.Alert` (pointer fields, getter methods); this view gives an Alert the same
 * names, so `Alert.GetScope() == "Ip"` or `evt.Overflow.Alert.Source.IP` run unmodified.
 */

export interface AlertEventView {
  Timestamp: string;
  Meta: Record<string, string>;
  GetMeta: (key: unknown) => string;
}

export interface AlertView {
  Scenario: string;
  Message: string;
  EventsCount: number;
  StartAt: string;
  StopAt: string;
  Capacity: number;
  /** A Go duration, as CrowdSec stores it (`10s`). */
  Leakspeed: string;
  Remediation: boolean;
  Simulated: boolean;
  Source: AlertSourceView;
  Events: AlertEventView[];
  /** Palisade extension: the scenario's labels (CrowdSec's Alert has no such field). */
  Labels: Record<string, unknown>;
  GetScope: () => string;
  GetValue: () => string;
  GetScenario: () => string;
  GetEventsCount: () => number;
  GetMeta: (key: unknown) => string;
}

export interface AlertSourceView {
  Scope: string;
  Value: string;
  IP: string;
  Range: string;
  AsName: string;
  AsNumber: string;
  Cn: string;
  GetScope: () => string;
  GetValue: () => string;
}

export function alertView(alert: Alert): AlertView {
  const source = sourceView(alert);
  return {
    Scenario: alert.scenario,
    Message: alert.message,
    EventsCount: alert.events_count,
    StartAt: new Date(alert.start_at).toISOString(),
    StopAt: new Date(alert.stop_at).toISOString(),
    Capacity: alert.capacity,
    Leakspeed: formatDuration(alert.leakspeed),
    Remediation: alert.remediation,
    Simulated: false,
    Source: source,
    Events: alert.events.map(eventView),
    Labels: alert.labels,
    GetScope: () => source.Scope,
    GetValue: () => source.Value,
    GetScenario: () => alert.scenario,
    GetEventsCount: () => alert.events_count,
    // CrowdSec's alert-level meta is console context, which Palisade does not collect.
    GetMeta: () => "",
  };
}

function sourceView(alert: Alert): AlertSourceView {
  const s = alert.source;
  const scope = s.scope;
  const value = s.value;
  return {
    Scope: scope,
    Value: value,
    IP: s.ip ?? (scope === "Ip" ? value : ""),
    Range: s.range ?? (scope === "Range" ? value : ""),
    AsName: "",
    AsNumber: "",
    Cn: "",
    GetScope: () => scope,
    GetValue: () => value,
  };
}

function eventView(e: Event): AlertEventView {
  return {
    Timestamp: new Date(e.Time).toISOString(),
    Meta: e.Meta,
    GetMeta: (key) => e.Meta[String(key)] ?? "",
  };
}

/** Counts earlier decisions about a value; see `DecisionHistory` in decision.ts. */
export interface HistoryCounter {
  count(value: string, sinceMs?: number): number;
}

/** What the history helpers count against while one profile runs. */
export interface DecisionCounting {
  history: HistoryCounter;
  /** The decision's time; `GetDecisionsSinceCount(v, "24h")` counts from now - 24h. */
  now: number;
}

/**
 * Filled by the profile loop around each run of a profile's expressions, and read by the
 * history helpers. Expression functions are bound when a profile is compiled, but the
 * history and the time belong to each decision; runs are synchronous, so one cell per
 * profile is enough.
 */
export interface CountingCell {
  current: DecisionCounting | undefined;
}

/**
 * CrowdSec's `GetDecisionsCount(value)` and `GetDecisionsSinceCount(value, since)`, which
 * the expression language leaves to its host. A profile that widens IPv6 decisions to a
 * /N records them under the network, so counting an IPv6 address also counts its
 * network: escalation follows the attacker across the prefix.
 */
export function historyFunctions(
  cell: CountingCell,
  ipv6Prefix: number,
): Record<string, HostFunction> {
  const counting = (): DecisionCounting => {
    if (!cell.current) throw new Error("profile expression run outside evaluateProfiles");
    return cell.current;
  };
  const count = (value: unknown, since?: number): number => {
    const { history } = counting();
    const v = historyKey(String(value));
    let n = history.count(v, since);
    if (ipv6Prefix < 128 && ipVersion(v) === 6) {
      const net = ipToRange(v, ipv6Prefix);
      if (net !== undefined && net !== v) n += history.count(net, since);
    }
    return n;
  };
  return {
    GetDecisionsCount: { minArgs: 1, maxArgs: 1, call: ([value]) => count(value) },
    GetDecisionsSinceCount: {
      minArgs: 2,
      maxArgs: 2,
      call: ([value, since]) => {
        // CrowdSec logs a bad `since` and counts nothing; so does this.
        const ms = parseDuration(String(since));
        return ms === undefined ? 0 : count(value, counting().now - ms);
      },
    },
  };
}

/** Decisions are recorded under canonical values (`::ffff:1.2.3.4` → `1.2.3.4`); so are lookups. */
function historyKey(value: string): string {
  return (value.includes("/") ? normalizeCidr(value) : normalizeIp(value)) ?? value;
}

/**
 * One `evt` per sampled event, each carrying the alert as `evt.Overflow.Alert`, so both
 * parser-stage whitelists (`evt.Meta.source_ip`) and postoverflow ones
 * (`evt.Overflow.Alert.Source.IP`) evaluate.
 */
export function evtEnvs(
  alert: Alert,
  view: AlertView,
  ip: string | undefined,
): Record<string, unknown>[] {
  const Overflow = { Alert: view };
  if (alert.events.length === 0) {
    const meta = ip !== undefined ? { source_ip: ip } : {};
    return [{ evt: { Meta: meta, Parsed: {}, Enriched: {}, Unmarshaled: {}, Overflow } }];
  }
  return alert.events.map((e) => ({ evt: { ...e, Overflow } }));
}

/**
 * CrowdSec drops whitelisted events before they reach a bucket; for an alert that means
 * it would not exist if every event it holds was whitelisted.
 */
export function holdsForEvery(
  expr: CompiledExpr,
  envs: readonly Record<string, unknown>[],
  path: string,
  warnings: Diagnostic[],
): boolean {
  try {
    return envs.every((env) => expr.run(env) === true);
  } catch (e) {
    if (!(e instanceof ExprEvalError)) throw e;
    const why = e.message;
    warnings.push(
      warning(
        "allowlist.expression.runtime",
        path,
        `allowlist expression ${quote(expr.source)} failed (${why}); treated as not matching.`,
      ),
    );
    return false;
  }
}
