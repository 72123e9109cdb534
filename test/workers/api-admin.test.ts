import { env, exports } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ledgerEdgeMetrics } from "../../src/api/edge-metrics";
import { apiRoutes } from "../../src/api/index";
import { createApp } from "../../src/app";
import {
  adminAlertDetailSchema,
  adminAlertPageSchema,
  adminDecisionAddedSchema,
  adminDecisionPageSchema,
} from "../../src/contract/admin";
import {
  allowAddedSchema,
  bouncerCreatedSchema,
  metricsSchema,
} from "../../src/contract/admin-access";
import type { EdgeMetricsSink } from "../../src/edge/outcome-counter";
import type { Env } from "../../src/env";
import { admin, adminOk, ban, newBouncer, stream, unique, values } from "./api-support";
import { edgeApp, stubNetwork, visit } from "./edge-support";
import { batch, flushKv, ledger, postIngest } from "./ingest-support";

type ErrorJson = { error: { code: string; path?: string; message: string } };

async function error(res: Response, status: number): Promise<ErrorJson["error"]> {
  expect(res.status).toBe(status);
  return ((await res.json()) as ErrorJson).error;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("admin authentication", () => {
  it("wants the admin token: 401 without one, 403 for another", async () => {
    expect((await error(await admin("GET", "/decisions", undefined, null), 401)).code).toBe(
      "unauthenticated",
    );
    expect((await error(await admin("GET", "/decisions", undefined, "nope"), 403)).code).toBe(
      "forbidden",
    );
    expect((await admin("GET", "/decisions")).status).toBe(200);
  });

  it("is closed (503) while PALISADE_ADMIN_TOKEN is unset", async () => {
    const app = createApp({ routes: [apiRoutes] });
    const unset = { ...env, PALISADE_ADMIN_TOKEN: undefined } as unknown as Env;
    const res = await app.fetch(
      new Request("https://example.com/_palisade/v1/admin/decisions", {
        headers: { Authorization: "Bearer anything" },
      }),
      unset,
    );
    expect((await error(res, 503)).code).toBe("admin_not_configured");
  });
});

describe("admin decisions", () => {
  it("adds a decision by hand (origin cscli) with an alert, in every scope", async () => {
    const res = await admin("POST", "/decisions", {
      ip: "203.0.113.150",
      duration: "90m",
      reason: "abuse report",
    });
    expect(res.status).toBe(201);
    const out = adminDecisionAddedSchema.parse(await res.json());
    expect(out.decision).toMatchObject({
      origin: "cscli",
      type: "ban",
      scope: "Ip",
      value: "203.0.113.150",
      scenario: "abuse report",
      active: true,
      alert_id: out.alert_id,
    });
    expect(Date.parse(out.decision.until) - Date.parse(out.decision.created_at)).toBe(90 * 60_000);
    const country = await adminOk<{ decision: { scope: string; value: string } }>(
      "POST",
      "/decisions",
      {
        scope: "country",
        value: "kp",
        type: "captcha",
      },
    );
    expect(country.decision).toMatchObject({ scope: "Country", value: "KP" });
    const asn = await adminOk<{ decision: { value: string } }>("POST", "/decisions", {
      scope: "AS",
      value: "AS64496",
    });
    expect(asn.decision.value).toBe("64496");
    const range = await adminOk<{ decision: { value: string } }>("POST", "/decisions", {
      range: "2001:db8:1:2::5/64",
    });
    expect(range.decision.value).toBe("2001:db8:1:2::/64");
  });

  it("rejects a bad body with 422 naming the field", async () => {
    const cases: [unknown, string][] = [
      [{ ip: "300.1.1.1" }, "body.ip"],
      [{ ip: "203.0.113.1", duration: "forever" }, "body.duration"],
      [{ ip: "203.0.113.1", range: "203.0.113.0/24" }, "body.value"],
      [{ value: "FR" }, "body.scope"],
      [{ scope: "Country", value: "France" }, "body.value"],
      [{ ip: "203.0.113.1", type: "" }, "body.type"],
    ];
    for (const [body, path] of cases) {
      const e = await error(await admin("POST", "/decisions", body), 422);
      expect(e.path, JSON.stringify(body)).toBe(path);
    }
    expect((await error(await admin("POST", "/decisions", "{"), 400)).code).toBe("bad_json");
  });

  it("lists with filters and pages, newest first", async () => {
    const word = unique("list");
    const a = await ban("203.0.113.160", { reason: word });
    const b = await ban("203.0.113.161", { reason: word, type: "captcha" });
    const page = adminDecisionPageSchema.parse(
      await adminOk("GET", `/decisions?scenario=${encodeURIComponent(word)}&limit=1`),
    );
    expect(page.decisions.map((d) => d.id)).toEqual([b.id]);
    expect(page.next_cursor).toBe(b.id);
    const next = adminDecisionPageSchema.parse(
      await adminOk(
        "GET",
        `/decisions?scenario=${encodeURIComponent(word)}&limit=1&cursor=${page.next_cursor}`,
      ),
    );
    expect(next.decisions.map((d) => d.id)).toEqual([a.id]);
    const byIp = adminDecisionPageSchema.parse(await adminOk("GET", "/decisions?ip=203.0.113.161"));
    expect(byIp.decisions.map((d) => d.id)).toEqual([b.id]);
    const captchas = adminDecisionPageSchema.parse(
      await adminOk(
        "GET",
        `/decisions?type=captcha&origin=cscli&scenario=${encodeURIComponent(word)}`,
      ),
    );
    expect(captchas.decisions.map((d) => d.id)).toEqual([b.id]);
    expect((await error(await admin("GET", "/decisions?limit=0"), 422)).path).toBe("query.limit");
  });

  it("deletes by id and by filter; an unknown id is 404; a delete needs a filter", async () => {
    const word = unique("delete");
    const a = await ban("203.0.113.170", { reason: word });
    const b = await ban("203.0.113.171", { reason: word });
    expect(await adminOk("DELETE", `/decisions/${a.id}`)).toEqual({ deleted: 1, ids: [a.id] });
    expect(await adminOk("DELETE", `/decisions/${a.id}`)).toEqual({ deleted: 0, ids: [] });
    expect((await error(await admin("DELETE", "/decisions/987654"), 404)).path).toBe("params.id");
    expect((await error(await admin("DELETE", "/decisions/x1"), 400)).path).toBe("params.id");
    expect((await error(await admin("DELETE", "/decisions"), 422)).path).toBe("query");
    expect(await adminOk("DELETE", `/decisions?scenario=${encodeURIComponent(word)}`)).toEqual({
      deleted: 1,
      ids: [b.id],
    });
    const all = adminDecisionPageSchema.parse(
      await adminOk("GET", `/decisions?all=true&scenario=${encodeURIComponent(word)}`),
    );
    expect(all.decisions.map((d) => [d.id, d.active, d.deleted_reason])).toEqual([
      [b.id, false, "deleted"],
      [a.id, false, "deleted"],
    ]);
  });

  it("reaches the edge through KV: the banned visitor gets 403, others the origin", async () => {
    const net = stubNetwork();
    const d = await ban("203.0.113.180");
    await flushKv();
    const edge = edgeApp(env.BLOCKLIST);
    const blocked = await visit(edge, "/shop", { ip: d.value, accept: "application/json" });
    expect(blocked.status).toBe(403);
    expect(((await blocked.json()) as ErrorJson).error.message).toContain(`reference ${d.id}`);
    expect((await visit(edge, "/shop", { ip: "198.51.100.180" })).status).toBe(201);
    expect(net.origin).toHaveLength(1);
  });
});

describe("admin alerts", () => {
  it("lists alerts with their decisions and inspects one; unknown is 404", async () => {
    const word = unique("alerts");
    const d = await ban("203.0.113.190", { reason: word });
    const page = adminAlertPageSchema.parse(await adminOk("GET", `/alerts?scenario=${word}`));
    expect(page.alerts).toHaveLength(1);
    const a = page.alerts[0];
    expect(a).toMatchObject({
      scenario: word,
      value: d.value,
      machine: "admin",
      allowlisted: false,
    });
    expect(a?.decisions.map((x) => x.id)).toEqual([d.id]);
    const detail = adminAlertDetailSchema.parse(await adminOk("GET", `/alerts/${a?.id}`));
    expect(detail).toMatchObject({ id: a?.id, remediation: true, leakspeed: "0s" });
    expect((await error(await admin("GET", "/alerts/999999"), 404)).path).toBe("params.id");
    const ended = await adminOk<{ alerts: unknown[] }>(
      "GET",
      `/alerts?scenario=${word}&has_active_decision=false`,
    );
    expect(ended.alerts).toHaveLength(0);
    expect((await error(await admin("GET", "/alerts?since=yesterday"), 422)).path).toBe(
      "query.since",
    );
    const recent = await adminOk<{ alerts: unknown[] }>("GET", `/alerts?scenario=${word}&since=1h`);
    expect(recent.alerts).toHaveLength(1);
  });
});

describe("admin allowlist", () => {
  it("lifts an active decision when its IP is allowlisted; the stream says deleted", async () => {
    const key = await newBouncer();
    await stream(key, "?startup=true");
    const d = await ban("203.0.113.200");
    expect(values((await stream(key)).new)).toContain(d.value);
    const res = await admin("POST", "/allowlist", { value: d.value, reason: "our monitoring" });
    expect(res.status).toBe(201);
    const out = allowAddedSchema.parse(await res.json());
    expect(out.lifted).toEqual([d.id]);
    expect(out.entry).toMatchObject({
      value: "203.0.113.200/32",
      reason: "our monitoring",
      expires_at: null,
    });
    expect((await ledger().decision(d.id))?.deleted_reason).toBe("allowlisted");
    expect((await stream(key)).deleted?.map((x) => x.id)).toEqual([d.id]);
    // Decided again (by hand or by detection): refused, or recorded as ended.
    expect((await error(await admin("POST", "/decisions", { ip: d.value }), 409)).code).toBe(
      "allowlisted",
    );
    const [id] =
      (
        await ledger().record([
          {
            ref: `t:${crypto.randomUUID()}`,
            alert: null,
            decisions: [
              {
                type: "ban",
                scope: "Ip",
                value: d.value,
                origin: "palisade",
                scenario: "x",
                start: Date.now(),
                until: Date.now() + 60_000,
              },
            ],
          },
        ])
      )[0]?.ids ?? [];
    expect((await ledger().decision(id as number))?.deleted_reason).toBe("allowlisted");
    expect((await stream(key)).new).toBeNull();
  });

  it("is honoured at the edge, published to KV beside the blocklist", async () => {
    stubNetwork();
    await adminOk("POST", "/decisions", { scope: "Country", value: "FR" });
    await adminOk("POST", "/allowlist", { value: "198.51.100.0/28", reason: "office" });
    await flushKv();
    const manifest = await env.BLOCKLIST.get<{ allow?: string }>("bl:manifest", "json");
    expect(manifest?.allow).toMatch(/^bl:allow:\d+$/);
    const edge = edgeApp(env.BLOCKLIST);
    const office = await visit(edge, "/", { ip: "198.51.100.3", cf: { country: "FR" } });
    expect(office.status).toBe(201);
    const other = await visit(edge, "/", { ip: "198.51.100.30", cf: { country: "FR" } });
    expect(other.status).toBe(403);
  });

  it("lists, removes by id or value, expires entries, and rejects what is no IP", async () => {
    const a = await adminOk<{ entry: { id: number } }>("POST", "/allowlist", {
      value: "2001:db8:aa::/48",
    });
    await adminOk("POST", "/allowlist", { value: "192.0.2.77", duration: "1s" });
    const list = await adminOk<{ entries: { value: string }[] }>("GET", "/allowlist");
    expect(list.entries.map((e) => e.value)).toEqual(
      expect.arrayContaining(["2001:db8:aa::/48", "192.0.2.77/32"]),
    );
    expect(await adminOk("DELETE", `/allowlist/${a.entry.id}`)).toEqual({
      deleted: 1,
      ids: [a.entry.id],
    });
    expect((await error(await admin("DELETE", `/allowlist/${a.entry.id}`), 404)).path).toBe(
      "params.id",
    );
    expect((await error(await admin("DELETE", "/allowlist?value=192.0.2.78"), 404)).path).toBe(
      "query.value",
    );
    expect(
      (await error(await admin("POST", "/allowlist", { value: "example.com" }), 422)).path,
    ).toBe("body.value");
    await new Promise((r) => setTimeout(r, 1_100));
    await flushKv();
    const after = await adminOk<{ entries: { value: string }[] }>("GET", "/allowlist");
    expect(after.entries.map((e) => e.value)).not.toContain("192.0.2.77/32");
    expect(after.entries.map((e) => e.value)).not.toContain("2001:db8:aa::/48");
  });
});

describe("admin credentials", () => {
  it("creates bouncer keys once, lists and revokes them", async () => {
    const name = unique("fw");
    const res = await admin("POST", "/bouncers", { name });
    expect(res.status).toBe(201);
    const created = bouncerCreatedSchema.parse(await res.json());
    expect(created.api_key).toMatch(/^[0-9a-f]{64}$/);
    expect((await error(await admin("POST", "/bouncers", { name }), 409)).path).toBe("body.name");
    expect((await error(await admin("POST", "/bouncers", { name: "no spaces" }), 422)).path).toBe(
      "body.name",
    );
    const list = await adminOk<{ bouncers: { name: string }[] }>("GET", "/bouncers");
    expect(list.bouncers.map((b) => b.name)).toContain(name);
    expect(JSON.stringify(list)).not.toContain(created.api_key);
    expect(await adminOk("DELETE", `/bouncers/${name}`)).toEqual({ deleted: 1 });
    expect((await error(await admin("DELETE", `/bouncers/${name}`), 404)).path).toBe("params.name");
  });

  it("creates ingest tokens that ingest accepts until revoked; watchers' are refused there", async () => {
    const name = unique("shipper");
    const m = await adminOk<{ token: string; role: string }>("POST", "/machines", {
      name,
      role: "ingest",
    });
    expect(m.role).toBe("ingest");
    expect((await postIngest(batch([]), { token: m.token })).status).toBe(200);
    const agent = await adminOk<{ token: string; role: string }>("POST", "/machines", {
      name: unique("agent"),
    });
    expect(agent.role).toBe("watcher");
    expect((await error(await postIngest(batch([]), { token: agent.token }), 403)).code).toBe(
      "wrong_role",
    );
    expect((await error(await admin("POST", "/machines", { name, role: "root" }), 422)).path).toBe(
      "body.role",
    );
    const list = await adminOk<{ machines: { name: string; role: string }[] }>("GET", "/machines");
    expect(list.machines.find((x) => x.name === name)?.role).toBe("ingest");
    expect((await error(await admin("POST", "/machines", { name: "bootstrap" }), 409)).code).toBe(
      "name_reserved",
    );
    await adminOk("DELETE", `/machines/${name}`);
    expect((await postIngest(batch([]), { token: m.token })).status).toBe(403);
  });
});

describe("admin metrics", () => {
  let before: ReturnType<typeof metricsSchema.parse>;
  beforeEach(async () => {
    before = metricsSchema.parse(await adminOk("GET", "/metrics"));
  });

  it("counts ingested lines per machine and type, alerts per scenario, decisions by origin and type", async () => {
    const word = unique("metrics");
    await postIngest(batch(["not an nginx line", "neither"]));
    await ban("203.0.113.220", { reason: word, type: "throttle" });
    const after = metricsSchema.parse(await adminOk("GET", "/metrics"));
    const ingest = (m: typeof after) =>
      m.ingest.find((r) => r.machine === "bootstrap" && r.type === "nginx");
    expect((ingest(after)?.lines ?? 0) - (ingest(before)?.lines ?? 0)).toBe(2);
    expect((ingest(after)?.unparsed ?? 0) - (ingest(before)?.unparsed ?? 0)).toBe(2);
    expect(after.overflows.find((o) => o.scenario === word)?.count).toBe(1);
    const created = (m: typeof after) =>
      m.decisions.created.find((r) => r.origin === "cscli" && r.type === "throttle")?.count ?? 0;
    expect(created(after) - created(before)).toBe(1);
    const active = after.decisions.active.find(
      (r) => r.origin === "cscli" && r.type === "throttle",
    );
    expect(active?.count).toBeGreaterThanOrEqual(1);
    expect(after.since).not.toBeNull();
  });

  it("counts edge requests by outcome from the isolates' reports, without a call per request", async () => {
    stubNetwork();
    const d = await ban("203.0.113.230");
    await flushKv();
    let reports = 0;
    const sink: EdgeMetricsSink = async (counts, e) => {
      reports++;
      await ledgerEdgeMetrics(counts, e);
    };
    // The default interval (a minute): three requests, no report yet.
    const quiet = edgeApp(env.BLOCKLIST, {}, { metrics: sink });
    for (const ip of ["198.51.100.231", d.value, "198.51.100.232"]) await visit(quiet, "/", { ip });
    expect(reports).toBe(0);
    // No interval: the first request starts the count, each later one reports what is counted.
    const edge = edgeApp(env.BLOCKLIST, {}, { metrics: sink, metricsIntervalMs: 0 });
    for (const ip of ["198.51.100.231", d.value, "198.51.100.232"]) await visit(edge, "/", { ip });
    expect(reports).toBe(2);
    const after = metricsSchema.parse(await adminOk("GET", "/metrics"));
    const count = (m: typeof after, o: string) => m.edge.find((r) => r.outcome === o)?.count ?? 0;
    expect(count(after, "pass") - count(before, "pass")).toBe(2);
    expect(count(after, "ban") - count(before, "ban")).toBe(1);
  });
});

describe("OpenAPI document", () => {
  it("is valid JSON listing every route with its schemas", async () => {
    const res = await exports.default.fetch("https://example.com/_palisade/v1/openapi.json");
    expect(res.status).toBe(200);
    const doc = (await res.json()) as {
      openapi: string;
      paths: Record<
        string,
        Record<
          string,
          {
            responses: Record<string, unknown>;
            requestBody?: { content: Record<string, { schema: { type?: string } }> };
          }
        >
      >;
    };
    expect(doc.openapi).toBe("3.1.0");
    const { API_ROUTES } = await import("../../src/api/index");
    for (const r of API_ROUTES) {
      const op = doc.paths[r.path.replace(/:(\w+)/g, "{$1}")]?.[r.method.toLowerCase()];
      expect(op, `${r.method} ${r.path}`).toBeDefined();
      expect(Object.keys(op?.responses ?? {}).length).toBeGreaterThan(0);
    }
    expect(doc.paths["/_palisade/v1/decisions/stream"]?.get).toBeDefined();
    expect(doc.paths["/_palisade/v1/ingest"]?.post).toBeDefined();
    const add = doc.paths["/_palisade/v1/admin/decisions"]?.post;
    expect(add?.requestBody?.content["application/json"]?.schema.type).toBe("object");
  });
});
