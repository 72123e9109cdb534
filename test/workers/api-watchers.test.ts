import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { signJwt } from "../../src/api/jwt";
import { lapiDecisionListSchema, watcherLoginResponseSchema } from "../../src/contract/lapi";
import { lapiAlertListSchema, lapiAlertOutSchema } from "../../src/contract/lapi-alert";
import { API, adminOk, bouncer, newBouncer, seconds, unique } from "./api-support";
import { ledger, TOKEN } from "./ingest-support";
import { agentAlert, call, claimsOf, cscliAlert, login, machine } from "./watcher-support";

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

  it("accepts cscli's login, which sends scenarios: null", async () => {
    const m = await machine();
    const res = await call("POST", "/watchers/login", {
      body: { machine_id: m.name, password: m.token, scenarios: null },
    });
    expect(res.status).toBe(200);
  });

  it("refuses the bootstrap token and ingest machines: shippers' tokens never log in", async () => {
    const shipper = await adminOk<{ name: string; token: string; role: string }>(
      "POST",
      "/machines",
      { name: unique("shipper"), role: "ingest" },
    );
    expect(shipper.role).toBe("ingest");
    for (const [machine_id, password] of [
      ["bootstrap", TOKEN],
      [shipper.name, shipper.token],
    ] as const) {
      const res = await call("POST", "/watchers/login", {
        body: { machine_id, password, scenarios: [] },
      });
      expect(res.status).toBe(403);
      const body = (await res.json()) as { message: string; error: { code: string } };
      expect(body.error.code).toBe("wrong_role");
      expect(body.message).toContain("palisade machines add NAME");
    }
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
    const forged = `${h}.${btoa(JSON.stringify({ id: "admin", mid: 1, exp: 2e9, orig_iat: 0 })).replace(/=+$/, "")}.${s}`;
    const secret = await ledger().jwtSecret();
    const mid = claimsOf(jwt).mid;
    const expired = await signJwt(secret, {
      id: m.name,
      mid,
      exp: Math.floor(Date.now() / 1000) - 5,
      orig_iat: 0,
    });
    const foreign = await signJwt("another-secret", { id: m.name, mid, exp: 2e9, orig_iat: 0 });
    for (const token of [undefined, "garbage", forged, expired, foreign, `${h}.${p}`]) {
      const res = await call("GET", "/alerts", token === undefined ? {} : { jwt: token });
      expect(res.status).toBe(401);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("unauthorized");
    }
    expect((await call("GET", "/alerts", { jwt })).status).toBe(200);
    expect((await call("GET", "/heartbeat", { jwt })).status).toBe(200);
    expect((await call("GET", "/heartbeat", { jwt: expired })).status).toBe(401);
  });

  it("stops a removed machine at once, its unexpired token included, heartbeat too", async () => {
    const m = await machine();
    const jwt = await login(m.name, m.token);
    expect((await call("GET", "/alerts", { jwt })).status).toBe(200);
    expect((await call("GET", "/heartbeat", { jwt })).status).toBe(200);
    await adminOk("DELETE", `/machines/${m.name}`);
    expect((await call("GET", "/heartbeat", { jwt })).status).toBe(401);
    expect((await call("GET", "/alerts", { jwt })).status).toBe(401);
    expect((await call("POST", "/alerts", { jwt, body: [cscliAlert("203.0.113.9")] })).status).toBe(
      401,
    );
    // A new machine of the same name is another machine: the old session stays dead.
    await adminOk("POST", "/machines", { name: m.name });
    expect((await call("GET", "/heartbeat", { jwt })).status).toBe(401);
  });

  it("refreshes a live watcher's session (GET /v1/refresh_token), not a removed one's", async () => {
    const m = await machine();
    const jwt = await login(m.name, m.token);
    const res = await call("GET", "/refresh_token", { jwt });
    expect(res.status).toBe(200);
    const fresh = watcherLoginResponseSchema.parse(await res.json()).token;
    expect(claimsOf(fresh)).toMatchObject({ id: m.name, mid: claimsOf(jwt).mid });
    expect((await call("GET", "/heartbeat", { jwt: fresh })).status).toBe(200);
    await adminOk("DELETE", `/machines/${m.name}`);
    expect((await call("GET", "/refresh_token", { jwt: fresh })).status).toBe(401);
  });

  it("refuses a validly signed JWT for a name that was never a watcher", async () => {
    const secret = await ledger().jwtSecret();
    const exp = Math.floor(Date.now() / 1000) + 600;
    const shipper = await adminOk<{ name: string }>("POST", "/machines", {
      name: unique("shipper"),
      role: "ingest",
    });
    for (const id of ["never-registered", "bootstrap", shipper.name]) {
      const jwt = await signJwt(secret, { id, mid: 1, exp, orig_iat: 0 });
      const res = await call("GET", "/heartbeat", { jwt });
      expect(res.status).toBe(401);
      expect(((await res.json()) as { message: string }).message).toContain(id);
    }
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
    // A private address is allowlisted: the alert is kept, no decision. (`ip=` selects
    // alerts by their decisions, as CrowdSec; `value=` by their source.)
    await call("POST", "/alerts", { jwt, body: [agentAlert("10.1.2.3")] });
    expect(await (await call("GET", "/alerts?ip=10.1.2.3", { jwt })).text()).toBe("null");
    const priv = lapiAlertListSchema.parse(
      await (await call("GET", "/alerts?value=10.1.2.3", { jwt })).json(),
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

describe("GET /v1/alerts/{id}", () => {
  it("answers one alert in CrowdSec's shape (cscli alerts inspect), 404 for an unknown id", async () => {
    const m = await machine();
    const jwt = await login(m.name, m.token);
    const res = await call("POST", "/alerts", { jwt, body: [agentAlert("203.0.113.130")] });
    const [id] = (await res.json()) as string[];
    const one = await call("GET", `/alerts/${id}`, { jwt });
    expect(one.status).toBe(200);
    const alert = lapiAlertOutSchema.parse(await one.json());
    expect(alert).toMatchObject({ id: Number(id), machine_id: m.name, simulated: false });
    expect(alert.decisions?.[0]).toMatchObject({ value: "203.0.113.130", simulated: false });
    const head = await call("HEAD", `/alerts/${id}`, { jwt });
    expect(head.status).toBe(200);
    const unknown = await call("GET", "/alerts/999999", { jwt });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { message: string }).message).toContain("999999");
    expect((await call("GET", "/alerts/abc", { jwt })).status).toBe(400);
  });
});

describe("DELETE /v1/decisions", () => {
  it("ends a watcher's own decisions by filter and by id; unknown id 404, bad id 400", async () => {
    const m = await machine();
    const jwt = await login(m.name, m.token);
    await call("POST", "/alerts", { jwt, body: [cscliAlert("203.0.113.120")] });
    await call("POST", "/alerts", { jwt, body: [cscliAlert("203.0.113.121")] });
    const byIp = await call("DELETE", "/decisions?ip=203.0.113.120", { jwt });
    expect(await byIp.json()).toEqual({ nbDeleted: "1" });
    const alerts = lapiAlertListSchema.parse(
      await (await call("GET", "/alerts?ip=203.0.113.121", { jwt })).json(),
    );
    const id = alerts?.[0]?.decisions?.[0]?.id as number;
    const byId = await call("DELETE", `/decisions/${id}`, { jwt });
    expect(await byId.json()).toEqual({ nbDeleted: "1" });
    expect((await ledger().decision(id))?.deleted_reason).toBe("deleted");
    expect(await (await call("DELETE", `/decisions/${id}`, { jwt })).json()).toEqual({
      nbDeleted: "0",
    });
    const unknown = await call("DELETE", "/decisions/999999", { jwt });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { message: string }).message).toContain("999999");
    expect((await call("DELETE", "/decisions/abc", { jwt })).status).toBe(400);
    expect((await call("DELETE", "/decisions?ip=203.0.113.120")).status).toBe(401);
  });
});
