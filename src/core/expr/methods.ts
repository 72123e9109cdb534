import { fail } from "./runtime";
import { BLOCKED_KEYS, formatValue, isMap, isNil, ownGet, typeName } from "./values";

/**
 * Methods of CrowdSec's Go types that hub files call (`evt.GetMeta('x')`,
 * `evt.SetMeta(k, v)`, `Alert.GetScope()`, `evt.Time.Hour()`), looked up by name when the
 * receiver has no own function of that name. Alerts may be CrowdSec-shaped
 * (`Source.Scope`) or Palisade-shaped (`source.scope`).
 */

export type Method = (recv: unknown, args: readonly unknown[]) => unknown;

function field(recv: unknown, ...path: string[]): unknown {
  let cur = recv;
  for (const k of path) {
    if (!isMap(cur)) return undefined;
    cur = ownGet(cur, k);
  }
  return cur;
}

function first(recv: unknown, paths: string[][], fallback: unknown): unknown {
  for (const p of paths) {
    const v = field(recv, ...p);
    if (!isNil(v)) return v;
  }
  return fallback;
}

function metaOf(meta: unknown, key: string): string {
  if (Array.isArray(meta)) {
    for (const item of meta)
      if (field(item, "Key") === key) return String(field(item, "Value") ?? "");
    return "";
  }
  const v = isMap(meta) ? ownGet(meta, key) : undefined;
  return typeof v === "string" ? v : "";
}

function getMeta(recv: unknown, key: string): string {
  const own = metaOf(field(recv, "Meta"), key);
  if (own !== "") return own;
  const events = first(recv, [["Overflow", "Alert", "Events"], ["events"]], []);
  if (!Array.isArray(events)) return "";
  for (const e of events) {
    const v = metaOf(field(e, "Meta"), key);
    if (v !== "") return v;
  }
  return "";
}

function setIn(recv: unknown, mapName: string, key: unknown, value: unknown): boolean {
  if (!isMap(recv)) return fail(`Set${mapName}: receiver is ${typeName(recv)}, not an event`);
  if (typeof key !== "string" || typeof value !== "string")
    fail(`Set${mapName}: key and value must be strings`);
  if (BLOCKED_KEYS.has(key)) fail(`Set${mapName}: refusing key ${JSON.stringify(key)}`);
  let target = ownGet(recv, mapName);
  if (!isMap(target)) {
    target = {};
    (recv as Record<string, unknown>)[mapName] = target;
  }
  (target as Record<string, string>)[key] = value;
  return true;
}

function getType(recv: unknown): string {
  const t = field(recv, "Type");
  if (t === 1 || t === "overflow") return "overflow";
  if (t === 0 || t === "log") return "log";
  return isNil(field(recv, "Overflow")) ? "log" : "overflow";
}

function getSources(recv: unknown): string[] {
  const sources = field(recv, "Sources");
  if (isMap(sources)) return Object.keys(sources);
  const one = first(
    recv,
    [
      ["source", "ip"],
      ["source", "value"],
      ["Source", "IP"],
      ["Source", "Value"],
    ],
    null,
  );
  return typeof one === "string" ? [one] : [];
}

const WEEKDAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

/** Methods of Go's time.Time on a time in ms since the epoch, in UTC. */
function timeMethod(part: (d: Date) => unknown): Method {
  return (recv) => {
    if (typeof recv !== "number")
      return fail(`time method on ${typeName(recv)} (expected a time in ms)`);
    return part(new Date(recv));
  };
}

function yearDay(d: Date): number {
  return Math.floor((d.getTime() - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86_400_000) + 1;
}

export const METHODS: Readonly<Record<string, Method>> = {
  GetMeta: (r, [k]) =>
    getMeta(r, typeof k === "string" ? k : fail("GetMeta: key must be a string")),
  SetMeta: (r, [k, v]) => setIn(r, "Meta", k, v),
  SetParsed: (r, [k, v]) => setIn(r, "Parsed", k, v),
  GetType: (r) => getType(r),
  GetScenario: (r) => first(r, [["Scenario"], ["scenario"]], ""),
  GetScope: (r) =>
    first(
      r,
      [
        ["Source", "Scope"],
        ["source", "scope"],
      ],
      "",
    ),
  GetValue: (r) =>
    first(
      r,
      [
        ["Source", "Value"],
        ["source", "value"],
      ],
      "",
    ),
  GetEventsCount: (r) => first(r, [["EventsCount"], ["events_count"]], 0),
  GetRemediation: (r) => first(r, [["Remediation"], ["remediation"]], false),
  GetSources: (r) => getSources(r),
  Hour: timeMethod((d) => d.getUTCHours()),
  Minute: timeMethod((d) => d.getUTCMinutes()),
  Second: timeMethod((d) => d.getUTCSeconds()),
  Day: timeMethod((d) => d.getUTCDate()),
  Month: timeMethod((d) => d.getUTCMonth() + 1),
  Year: timeMethod((d) => d.getUTCFullYear()),
  YearDay: timeMethod(yearDay),
  /** The weekday's name, so `Weekday().String() == 'Sunday'` reads as in Go. */
  Weekday: timeMethod((d) => WEEKDAYS[d.getUTCDay()]),
  Unix: timeMethod((d) => Math.floor(d.getTime() / 1000)),
  UnixMilli: timeMethod((d) => d.getTime()),
  String: (r) => formatValue(r),
};
