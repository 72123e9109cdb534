import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { signJwt } from "../../src/api/jwt";
import { lapiDecisionListSchema, watcherLoginResponseSchema } from "../../src/contract/lapi";
import { lapiAlertListSchema } from "../../src/contract/lapi-alert";
import { API, adminOk, ban, bouncer, newBouncer, seconds, unique } from "./api-support";
import { ledger, TOKEN } from "./ingest-support";

async function call(
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

async function machine(): Promise<{ name: string; token: string }> {
  return adminOk("POST", "/machines", { name: unique("agent") });
}

async function login(machine_id: string, password: string): Promise<string> {
  const res = await call("POST", "/watchers/login", { body: { machine_id, password } });
  expect(res.status).toBe(200);
  return watcherLoginResponseSchema.parse(await res.json()).token;
}

/** An alert as cscli's `decisions add` sends it. */
function cscliAlert(ip: string, duration = "4h") {
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
function agentAlert(ip: string, scenario = "crowdsecurity/ssh-bf") {
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

describe("watcher login", () => {
  it("gives a registered machine a JWT and refuses a wrong password", async () => {
    const m = await machine();
    const res = await call("POST", "/watchers/login", {
      body: { machine_id: m.name, password: m.token },
    });
    const body = watcherLoginResponseSchema.parse(await res.json());
    expect(body.code).toBe(200);
    expect(Date.parse(body.expire)).toBeGreaterThan(Date.now());
    const bad = await call("POST", "/watchers/login", {
      body: { machine_id: m.name, password: "x" },
    });
    expect(bad.status).toBe(401);
    expect(((await bad.json()) as { message: string }).message).toBe(
      "incorrect Username or Password",
    );
    const unknown = await call("POST", "/watchers/login", {
      body: { machine_id: "nobody", password: m.token },
    });
    expect(unknown.status).toBe(401);
  });

  it("lets the bootstrap machine log in with PALISADE_MACHINE_TOKEN", async () => {
    expect(await login("bootstrap", TOKEN)).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
  });

  it("answers a body without a password 400, naming the field", async () => {
    const res = await call("POST", "/watchers/login", { body: { machine_id: "x" } });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { message: string; error: { path: string } };
    expect(body.error.path).toBe("body.password");
    expect(body.message).toContain("body.password");
  });
});

describe("watcher JWT", () => {
  it("refuses a missing, tampered, foreign or expired token with 401", async () => {
    const m = await machine();
    const jwt = await login(m.name, m.token);
    const [h, p, s] = jwt.split(".");
    const forged = `${h}.${btoa(JSON.stringify({ id: "admin", exp: 2e9, orig_iat: 0 })).replace(/=+$/, "")}.${s}`;
    const secret = await ledger().jwtSecret();
    const expired = await signJwt(secret, {
      id: m.name,
      exp: Math.floor(Date.now() / 1000) - 5,
      orig_iat: 0,
    });
    const foreign = await signJwt("another-secret", { id: m.name, exp: 2e9, orig_iat: 0 });
    for (const token of [undefined, "garbage", forged, expired, foreign, `${h}.${p}`]) {
      const res = await call("GET", "/alerts", token === undefined ? {} : { jwt: token });
      expect(res.status).toBe(401);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("unauthorized");
    }
    expect((await call("GET", "/alerts", { jwt })).status).toBe(200);
    expect((await call("GET", "/heartbeat", { jwt })).status).toBe(200);
    expect((await call("GET", "/heartbeat", { jwt: expired })).status).toBe(401);
  });

  it("stops a removed machine at once, its unexpired token included", async () => {
    const m = await machine();
    const jwt = await login(m.name, m.token);
    expect((await call("GET", "/alerts", { jwt })).status).toBe(200);
    await adminOk("DELETE", `/machines/${m.name}`);
    expect((await call("GET", "/alerts", { jwt })).status).toBe(401);
    expect((await call("POST", "/alerts", { jwt, body: [cscliAlert("203.0.113.9")] })).status).toBe(
      401,
    );
  });
});

describe("POST /v1/alerts", () => {
  it("records cscli's alert with its decision, which bouncers then see", async () => {
    const m = await machine();
    const jwt = await login(m.name, m.token);
    const ip = "203.0.113.110";
    const res = await call("POST", "/alerts", { jwt, body: [cscliAlert(ip, "2h")] });
    expect(res.status).toBe(201);
    const ids = (await res.json()) as string[];
    expect(ids).toHaveLength(1);
    expect(ids[0]).toMatch(/^\d+$/);
    const key = await newBouncer();
    const list = lapiDecisionListSchema.parse(
      await (await bouncer(`/decisions?ip=${ip}`, { key })).json(),
    );
    expect(list?.map((d) => [d.origin, d.type, d.scope])).toEqual([["cscli", "ban", "Ip"]]);
    expect(seconds(list?.[0]?.duration ?? "0s")).toBeGreaterThan(2 * 3600 - 60);
  });

  it("runs an alert without decisions through the profiles (origin crowdsec)", async () => {
    const m = await machine();
    const jwt = await login(m.name, m.token);
    const ip = "203.0.113.111";
    const res = await call("POST", "/alerts", { jwt, body: [agentAlert(ip)] });
    expect(res.status).toBe(201);
    const [id] = (await res.json()) as string[];
    const alerts = lapiAlertListSchema.parse(
      await (await call("GET", `/alerts?ip=${ip}`, { jwt })).json(),
    );
    expect(alerts).toHaveLength(1);
    const a = alerts?.[0];
    expect(a).toMatchObject({
      id: Number(id),
      machine_id: m.name,
      scenario: "crowdsecurity/ssh-bf",
    });
    expect(a?.source).toMatchObject({ scope: "Ip", value: ip, cn: "FR", as_number: "64496" });
    expect(a?.events?.[0]?.meta).toContainEqual({ key: "user", value: "root" });
    expect(a?.decisions?.map((d) => [d.origin, d.type, d.value])).toEqual([
      ["crowdsec", "ban", ip],
    ]);
    // A private address is allowlisted: the alert is kept, no decision.
    await call("POST", "/alerts", { jwt, body: [agentAlert("10.1.2.3")] });
    const priv = lapiAlertListSchema.parse(
      await (await call("GET", "/alerts?ip=10.1.2.3", { jwt })).json(),
    );
    expect(priv?.[0]?.decisions).toBeNull();
  });

  it("answers a bad body 400 with the path of the problem", async () => {
    const m = await machine();
    const jwt = await login(m.name, m.token);
    const bad = { ...agentAlert("203.0.113.112"), source: { value: "203.0.113.112" } };
    const res = await call("POST", "/alerts", { jwt, body: [agentAlert("203.0.113.113"), bad] });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { path: string } }).error.path).toBe(
      "body[1].source.scope",
    );
    const notJson = await exports.default.fetch(`${API}/alerts`, {
      method: "POST",
      headers: { Authorization: `Bearer ${jwt}`, "Content-Type": "application/json" },
      body: "{",
    });
    expect(notJson.status).toBe(400);
  });
});

describe("GET /v1/alerts", () => {
  it("answers null when no alert matches", async () => {
    const m = await machine();
    const jwt = await login(m.name, m.token);
    const res = await call("GET", "/alerts?ip=198.18.0.1", { jwt });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("null");
  });
});

describe("DELETE /v1/decisions", () => {
  it("deletes by filter and by id; an unknown id is 404, a bad one 400", async () => {
    const m = await machine();
    const jwt = await login(m.name, m.token);
    const a = await ban("203.0.113.120");
    const b = await ban("203.0.113.121");
    const byIp = await call("DELETE", "/decisions?ip=203.0.113.120", { jwt });
    expect(await byIp.json()).toEqual({ nbDeleted: "1" });
    expect((await ledger().decision(a.id))?.deleted_reason).toBe("deleted");
    const byId = await call("DELETE", `/decisions/${b.id}`, { jwt });
    expect(await byId.json()).toEqual({ nbDeleted: "1" });
    expect(await (await call("DELETE", `/decisions/${b.id}`, { jwt })).json()).toEqual({
      nbDeleted: "0",
    });
    const unknown = await call("DELETE", "/decisions/999999", { jwt });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { message: string }).message).toContain("999999");
    expect((await call("DELETE", "/decisions/abc", { jwt })).status).toBe(400);
    expect((await call("DELETE", "/decisions?ip=203.0.113.120")).status).toBe(401);
  });
});
