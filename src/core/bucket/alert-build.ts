import type { Alert, AlertSource } from "../alert";
import { formatDuration } from "../duration";
import type { Event } from "../event";
import type { CompiledExpr } from "../expr/index";
import { parseCidr, parseIp } from "../ip";
import type { CompiledScenario } from "../scenario/types";
import { runExpr } from "./processor";
import type { LiveBucket } from "./state";

/**
 * Turns an overflowing bucket into an Alert the way CrowdSec's NewAlert does: one source
 * per distinct scope value found in the bucket's events, `events_count` = events poured
 * (`Total_count`), start at the first event, stop at the overflow.
 *
 * Returns undefined when an event has no usable source (CrowdSec logs an error and its
 * alert carries no source, which nothing downstream can act on).
 */
export function buildAlert(
  scenario: CompiledScenario,
  live: LiveBucket,
  overflowAt: number,
): Alert | undefined {
  const sources = collectSources(scenario, live.queue);
  const first = sources?.[0];
  if (!sources || !first) return undefined;
  const who = sources.length > 1 ? `${sources.length} sources` : first.value;
  const span = formatDuration(overflowAt - live.first);
  return {
    scenario: scenario.name,
    message: `${first.scope} ${who} performed '${scenario.name}' (${live.count} events over ${span}) at ${goTimeString(overflowAt)}`,
    source: first,
    sources,
    events_count: live.count,
    start_at: live.first,
    stop_at: overflowAt,
    capacity: scenario.capacity,
    leakspeed: scenario.leakspeed,
    labels: scenario.labels,
    remediation: scenario.remediation,
    events: live.queue,
  };
}

function collectSources(
  scenario: CompiledScenario,
  queue: readonly Event[],
): AlertSource[] | undefined {
  const byValue = new Map<string, AlertSource>();
  for (const event of queue) {
    const source = sourceOf(scenario, event);
    if (!source) return undefined;
    if (!byValue.has(source.value)) byValue.set(source.value, source);
  }
  return [...byValue.values()];
}

/** CrowdSec's SourceFromEvent for log events. */
export function sourceOf(scenario: CompiledScenario, event: Event): AlertSource | undefined {
  const { type, expression } = scenario.scope;
  if (type !== "Ip" && type !== "Range") {
    if (!expression) return undefined;
    return { scope: type, value: exprString(expression, event) };
  }
  const ip = event.Meta.source_ip;
  if (ip === undefined || !parseIp(ip)) return undefined;
  const source: AlertSource = { scope: type, value: ip, ip };
  const declared = event.Meta.SourceRange;
  if (declared) {
    const cidr = parseCidr(declared);
    if (!cidr || !declared.includes("/")) return undefined;
    source.range = cidr.text;
  }
  if (type === "Range") {
    source.value = expression ? exprString(expression, event) : (source.range ?? "");
  }
  return source;
}

function exprString(expr: CompiledExpr, event: Event): string {
  const v = runExpr(expr, { evt: event });
  return typeof v === "string" ? v : "";
}

/** Go's `time.Time.String()` for a UTC instant: `2026-02-12 14:10:24 +0000 UTC`. */
export function goTimeString(ms: number): string {
  const iso = new Date(ms).toISOString();
  const fraction = iso.slice(20, 23).replace(/0+$/, "");
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${fraction ? `.${fraction}` : ""} +0000 UTC`;
}
