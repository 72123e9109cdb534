import type { Event } from "../event";
import { put } from "./http-enrich";
import { JSON_CHAIN } from "./traefik-router";

/**
 * The traefik parser's JSON node: `UnmarshalJSON` into `evt.Unmarshaled.traefik` (numbers
 * stay numbers), the router-chain grok on `RouterName ?? ''`, then its statics with
 * CrowdSec's expression semantics: a missing field or a failing expression (`Split` of a
 * non-string, an index out of range) skips that static; `int(x)` truncates; a float
 * becomes Go's `%f` text; a boolean result is an error that drops the line.
 */

type Json = Record<string, unknown>;
type Static = string | undefined | false;

// Go's unicode.IsSpace, for strings.TrimSpace.
const GO_SPACE =
  "\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
const LEADING_SPACE = new RegExp(`^[${GO_SPACE}]+`);
const TRIM = new RegExp(`^[${GO_SPACE}]+|[${GO_SPACE}]+$`, "g");

function get(o: Json, key: string): unknown {
  return Object.hasOwn(o, key) ? o[key] : undefined;
}

/** What a static writes for an expression result: text, undefined (skipped) or false (error). */
function text(v: unknown): Static {
  if (typeof v === "string") return v;
  if (typeof v === "number") return v.toFixed(6);
  if (v === null || v === undefined || typeof v === "object") return undefined;
  return false;
}

/** expr's `int()`: floats truncate, strings go through Atoi. */
function goInt(v: unknown): Static {
  if (typeof v === "number") return String(Math.trunc(v));
  if (typeof v === "string" && /^[+-]?\d{1,18}$/.test(v)) return String(Number(v));
  return undefined;
}

/** `Split(v, sep)[index]`, negative indexes counting from the end. */
function splitAt(v: unknown, sep: string, index: number): string | undefined {
  if (typeof v !== "string") return undefined;
  const parts = v.split(sep);
  return parts[index < 0 ? parts.length + index : index];
}

function unmarshal(msg: string): Json | undefined {
  if (msg.replace(LEADING_SPACE, "")[0] !== "{") return undefined;
  try {
    const v: unknown = JSON.parse(msg);
    return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Json) : undefined;
  } catch {
    return undefined;
  }
}

/** The chain grok's input: `RouterName ?? ''` as processGrok turns it into text. */
function routerText(v: unknown): string {
  if (typeof v === "string") return v;
  return typeof v === "number" ? v.toFixed(6) : "";
}

function statics(t: Json): [string, Static][] {
  const service = get(t, "ServiceAddr");
  const size = get(t, "DownstreamContentSize");
  return [
    ["remote_addr", splitAt(get(t, "ClientHost"), ",", -1)?.replace(TRIM, "")],
    ["dest_addr", splitAt(get(t, "ClientAddr"), ":", 0)],
    ["request_addr", text(get(t, "RequestAddr"))],
    ["service_addr", service == null ? undefined : splitAt(service, ":", 0)],
    ["http_user_agent", text(get(t, "request_User-Agent"))],
    ["body_bytes_sent", size == null ? undefined : goInt(size)],
    ["request_duration_in_ms", goInt(get(t, "Duration"))],
    ["traefik_router_name", text(get(t, "RouterName") ?? "")],
    ["time_local", text(get(t, "time"))],
    ["verb", text(get(t, "RequestMethod"))],
    ["request", text(get(t, "RequestPath"))],
    ["http_version", splitAt(get(t, "RequestProtocol"), "/", 1)],
    ["status", goInt(get(t, "DownstreamStatus"))],
  ];
}

/** The JSON node; false when the line is not a JSON object or the node fails. */
export function traefikJson(evt: Event, msg: string): boolean {
  const t = unmarshal(msg);
  if (!t) return false;
  evt.Unmarshaled.traefik = t;
  const chain = JSON_CHAIN.exec(routerText(get(t, "RouterName")));
  if (!chain) return false;
  JSON_CHAIN.assign(chain, evt.Parsed);
  for (const [key, value] of statics(t)) {
    if (value === false) return false;
    put(evt.Parsed, key, value);
  }
  const host = get(t, "RequestHost");
  const fqdn = text(host == null ? "" : host);
  if (fqdn === false) return false;
  put(evt.Meta, "target_fqdn", fqdn);
  return true;
}
