import { exports } from "cloudflare:workers";
import { expect } from "vitest";
import { watcherLoginResponseSchema } from "../../src/contract/lapi";
import { API, adminOk, unique } from "./api-support";

/** The watcher API as CrowdSec agents and cscli call it (JWT from a watcher machine). */

export async function call(
  method: string,
  path: string,
  opts: { jwt?: string; body?: unknown } = {},
): Promise<Response> {
  const headers = new Headers();
  if (opts.jwt !== undefined) headers.set("Authorization", `Bearer ${opts.jwt}`);
  if (opts.body !== undefined) headers.set("Content-Type", "application/json");
  return exports.default.fetch(`${API}${path}`, {
    method,
    headers,
    ...(opts.body === undefined ? {} : { body: JSON.stringify(opts.body) }),
  });
}

export async function machine(): Promise<{ name: string; token: string }> {
  return adminOk("POST", "/machines", { name: unique("agent") });
}

export function claimsOf(jwt: string): { id: string; mid: number } {
  const part = (jwt.split(".")[1] ?? "").replace(/-/g, "+").replace(/_/g, "/");
  return JSON.parse(atob(part)) as { id: string; mid: number };
}

export async function login(machine_id: string, password: string): Promise<string> {
  const res = await call("POST", "/watchers/login", { body: { machine_id, password } });
  expect(res.status).toBe(200);
  return watcherLoginResponseSchema.parse(await res.json()).token;
}

/** An alert as cscli's `decisions add` sends it. */
export function cscliAlert(ip: string, duration = "4h") {
  const now = new Date().toISOString();
  return {
    scenario: "manual 'ban' from 'test'",
    scenario_hash: "",
    scenario_version: "",
    message: `manual 'ban' from 'test'`,
    events_count: 1,
    start_at: now,
    stop_at: now,
    capacity: 0,
    leakspeed: "0",
    simulated: false,
    events: [],
    source: { scope: "ip", value: ip, ip },
    decisions: [
      {
        duration,
        origin: "cscli",
        scenario: "manual 'ban' from 'test'",
        scope: "ip",
        type: "ban",
        value: ip,
      },
    ],
  };
}

/** An agent's overflow without decisions: the profiles decide. */
export function agentAlert(ip: string, scenario = "crowdsecurity/ssh-bf") {
  const now = new Date().toISOString();
  return {
    scenario,
    scenario_hash: "abc",
    scenario_version: "0.1",
    message: `Ip ${ip} performed '${scenario}' (6 events over 2s)`,
    events_count: 6,
    start_at: now,
    stop_at: now,
    capacity: 5,
    leakspeed: "10s",
    simulated: false,
    remediation: true,
    events: [
      {
        timestamp: now,
        meta: [
          { key: "source_ip", value: ip },
          { key: "user", value: "root" },
        ],
      },
    ],
    source: { scope: "Ip", value: ip, ip, cn: "FR", as_number: "64496" },
  };
}
