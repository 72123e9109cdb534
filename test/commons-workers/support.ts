import { exports } from "cloudflare:workers";
import { expect } from "vitest";
import { type CapiStream, capiLoginAnswerSchema, capiStreamSchema } from "../../src/contract/capi";
import type { CapiSignal } from "../../src/contract/capi-signal";

/** Calls into the commons Worker as engines and the operator make them. */

export const ADMIN = "test-commons-admin";
export const BASE = "https://commons.example";
export const SSH_BF_03 = {
  scenario: "crowdsecurity/ssh-bf",
  scenario_version: "0.3",
  scenario_hash: "242f36684d66bbae3044e576b7cfffef62d5323465f3f74f87923167c6d93356",
};
export const MODIFIED = { ...SSH_BF_03, scenario_hash: "0".repeat(64) };

export async function call(
  method: string,
  path: string,
  opts: { token?: string; body?: unknown; text?: string } = {},
): Promise<Response> {
  const headers = new Headers({ "User-Agent": "crowdsec/v1.4.6-6~deb12u1+b1-linux-debian" });
  if (opts.token !== undefined) headers.set("Authorization", `Bearer ${opts.token}`);
  let body: string | undefined;
  if (opts.text !== undefined) body = opts.text;
  else if (opts.body !== undefined) {
    headers.set("Content-Type", "application/json");
    body = JSON.stringify(opts.body);
  }
  return exports.default.fetch(`${BASE}${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body }),
  });
}

export async function ok<T = unknown>(res: Response, status = 200): Promise<T> {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  return (text ? JSON.parse(text) : null) as T;
}

let n = 0;
export function machineId(prefix = "m"): string {
  n++;
  return `${prefix}${n}${crypto.randomUUID().replace(/-/g, "")}`.slice(0, 48).padEnd(48, "x");
}

export interface TestMember {
  id: string;
  password: string;
  token: string;
}

export async function key(body: unknown = {}): Promise<string> {
  return (
    await ok<{ key: string }>(
      await call("POST", "/v1/admin/enrollment-keys", { token: ADMIN, body }),
      201,
    )
  ).key;
}

export async function member(enrolled = true, name = "site"): Promise<TestMember> {
  const id = machineId();
  const password = crypto.randomUUID().replace(/-/g, "");
  await ok(await call("POST", "/v2/watchers", { body: { machine_id: id, password } }), 201);
  const login = capiLoginAnswerSchema.parse(
    await ok(
      await call("POST", "/v2/watchers/login", {
        body: { machine_id: id, password, scenarios: [] },
      }),
    ),
  );
  if (enrolled) {
    const body = { attachment_key: await key(), name, tags: [], overwrite: false };
    await ok(await call("POST", "/v2/watchers/enroll", { token: login.token, body }), 202);
  }
  return { id, password, token: login.token };
}

export function signal(
  ip: string,
  scenario = SSH_BF_03,
  extra: Partial<CapiSignal> = {},
): CapiSignal {
  const now = Date.now();
  return {
    ...scenario,
    scenario_trust: "certified",
    message: `Ip ${ip} performed '${scenario.scenario}' (6 events over 3s)`,
    source: { scope: "Ip", value: ip, ip },
    start_at: new Date(now - 3000).toISOString(),
    stop_at: new Date(now).toISOString(),
    ...extra,
  };
}

export async function send(m: TestMember, signals: unknown[], status = 200) {
  return ok<{
    accepted: number;
    counted: number;
    stored: number;
    duplicates: number;
    ignored: number;
  }>(await call("POST", "/v2/signals", { token: m.token, body: signals }), status);
}

export async function pull(m: TestMember, query = ""): Promise<CapiStream> {
  return capiStreamSchema.parse(
    await ok(await call("GET", `/v2/decisions/stream${query}`, { token: m.token })),
  );
}

/** Pulls until `ip` shows up in `new` (what was pulled meanwhile is returned too). */
export async function pullUntil(m: TestMember, value: string, ms = 20_000): Promise<CapiStream> {
  const seen: CapiStream = { new: [], deleted: [] };
  const deadline = Date.now() + ms;
  for (;;) {
    const s = await pull(m);
    seen.new.push(...s.new);
    seen.deleted.push(...s.deleted);
    if (s.new.some((d) => d.value === value)) return seen;
    if (Date.now() > deadline)
      throw new Error(`${value} never reached the stream: ${JSON.stringify(seen)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

let octet = 0;
/** A public address no other test of the file uses (45.155.205.0/24 and up). */
export function attacker(): string {
  octet++;
  return `45.155.${205 + Math.floor(octet / 250)}.${1 + (octet % 250)}`;
}
