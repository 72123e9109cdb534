import { exports } from "cloudflare:workers";
import { expect } from "vitest";
import type { AdminDecision } from "../../src/contract/admin";
import type { LapiDecision } from "../../src/contract/decision";
import { CURSOR_HEADER, lapiDecisionStreamSchema } from "../../src/contract/lapi";
import type { RecordItem } from "../../src/durable/ledger/records";
import { ledger } from "./ingest-support";

export const ADMIN_TOKEN = "test-admin-token";
export const API = "https://example.com/_palisade/v1";
export const BOUNCER_IP = "192.0.2.10";
export const HOUR = 3_600_000;

/** The keys of CrowdSec's decision JSON (its FormatDecisions), in its order. */
export const CROWDSEC_DECISION_KEYS = [
  "duration",
  "id",
  "origin",
  "scenario",
  "scope",
  "type",
  "uuid",
  "value",
];
/** Go's time.Duration.String() at whole seconds. */
export const GO_DURATION = /^-?(?:\d+h\d+m\d+s|\d+m\d+s|\d+s)$/;

let n = 0;
/** A name (or scenario word) no other test of the file uses. */
export function unique(prefix: string): string {
  n++;
  return `${prefix}-${n}-${crypto.randomUUID().slice(0, 8)}`;
}

export async function admin(
  method: string,
  path: string,
  body?: unknown,
  token: string | null = ADMIN_TOKEN,
): Promise<Response> {
  const headers = new Headers();
  if (token !== null) headers.set("Authorization", `Bearer ${token}`);
  if (body !== undefined) headers.set("Content-Type", "application/json");
  return exports.default.fetch(`${API}/admin${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
  });
}

export async function adminOk<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await admin(method, path, body);
  const text = await res.text();
  expect(res.status, text).toBeLessThan(300);
  return JSON.parse(text) as T;
}

/** A bouncer key made through the admin API. */
export async function newBouncer(name = unique("bouncer")): Promise<string> {
  const out = await adminOk<{ api_key: string }>("POST", "/bouncers", { name });
  return out.api_key;
}

export async function ban(ip: string, extra: Record<string, unknown> = {}): Promise<AdminDecision> {
  const out = await adminOk<{ decision: AdminDecision }>("POST", "/decisions", {
    ip,
    ...extra,
  });
  return out.decision;
}

export interface BouncerCall {
  key: string | null;
  ip?: string;
  method?: string;
  ua?: string;
  headers?: Record<string, string>;
}

export async function bouncer(path: string, call: BouncerCall): Promise<Response> {
  const headers = new Headers({
    "CF-Connecting-IP": call.ip ?? BOUNCER_IP,
    "User-Agent": call.ua ?? "crowdsec-firewall-bouncer/v0.0.25",
  });
  if (call.key !== null) headers.set("X-Api-Key", call.key);
  for (const [k, v] of Object.entries(call.headers ?? {})) headers.set(k, v);
  return exports.default.fetch(`${API}${path}`, { method: call.method ?? "GET", headers });
}

export interface StreamAnswer {
  text: string;
  new: LapiDecision[] | null;
  deleted: LapiDecision[] | null;
  cursor: number;
}

export async function stream(key: string, query = "", ip = BOUNCER_IP): Promise<StreamAnswer> {
  const res = await bouncer(`/decisions/stream${query}`, { key, ip });
  const text = await res.text();
  expect(res.status, text).toBe(200);
  const body = lapiDecisionStreamSchema.parse(JSON.parse(text));
  return { text, ...body, cursor: Number(res.headers.get(CURSOR_HEADER)) };
}

export function values(list: readonly LapiDecision[] | null): string[] {
  return (list ?? []).map((d) => d.value).sort();
}

/** Records decisions as a tracker or an import would (any origin, scenario, duration). */
export async function record(
  decisions: {
    value: string;
    origin?: string;
    scenario?: string;
    ms?: number;
    type?: string;
    scope?: string;
  }[],
): Promise<number[]> {
  const now = Date.now();
  const item: RecordItem = {
    ref: `test:${crypto.randomUUID()}`,
    alert: null,
    decisions: decisions.map((d) => ({
      type: d.type ?? "ban",
      scope: d.scope ?? "Ip",
      value: d.value,
      origin: d.origin ?? "palisade",
      scenario: d.scenario ?? "palisade/test",
      start: now,
      until: now + (d.ms ?? HOUR),
    })),
  };
  const [result] = await ledger().record([item]);
  return result?.ids ?? [];
}

/** Seconds of a Go duration string as produced by the API (h, m, s parts). */
export function seconds(goDuration: string): number {
  const m = /^(-?)(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(goDuration);
  if (!m) throw new Error(`not a duration: ${goDuration}`);
  const s = Number(m[2] ?? 0) * 3600 + Number(m[3] ?? 0) * 60 + Number(m[4] ?? 0);
  return m[1] ? -s : s;
}
