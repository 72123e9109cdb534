import { describe, expect, it } from "vitest";
import {
  commonsStatusSchema,
  enrollmentKeySchema,
  explainSchema,
  memberListSchema,
  safeListSchema,
} from "../../src/contract/capi-commons";
import { ADMIN, attacker, call, member, ok, pull, pullUntil, send, signal } from "./support";

// The operator's API: enrollment keys, members, revocation, explanations, the safe list.

describe("admin authentication", () => {
  it("needs the admin token: 401 without, 403 with another", async () => {
    expect((await call("GET", "/v1/admin/members")).status).toBe(401);
    const m = await member();
    const out = await ok<{ error: { code: string } }>(
      await call("GET", "/v1/admin/members", { token: m.token }),
      403,
    );
    expect(out.error.code).toBe("forbidden");
  });
});

describe("POST /v1/admin/enrollment-keys", () => {
  it("answers 201 with a key, its uses and expiry (one use, 7 days by default)", async () => {
    const k = enrollmentKeySchema.parse(
      await ok(await call("POST", "/v1/admin/enrollment-keys", { token: ADMIN }), 201),
    );
    expect(k.uses).toBe(1);
    expect(Date.parse(k.expires_at) - Date.now()).toBeGreaterThan(6.9 * 86_400_000);
    const custom = enrollmentKeySchema.parse(
      await ok(
        await call("POST", "/v1/admin/enrollment-keys", {
          token: ADMIN,
          body: { uses: 5, ttl: "24h", note: "fleet" },
        }),
        201,
      ),
    );
    expect(custom).toMatchObject({ uses: 5, note: "fleet" });
  });

  it.each([
    [{ uses: 0 }, "body.uses"],
    [{ ttl: "soon" }, "body.ttl"],
    [{ color: "red" }, "body"],
  ])("refuses %j (422 at %s)", async (body, path) => {
    const out = await ok<{ error: { path: string } }>(
      await call("POST", "/v1/admin/enrollment-keys", { token: ADMIN, body }),
      422,
    );
    expect(out.error.path).toBe(path);
  });
});

describe("members", () => {
  it("lists members, enrolled or not, with trust, last seen and signals per day", async () => {
    const a = await member(true, "listed-one");
    const b = await member(false);
    await send(a, [signal(attacker()), signal(attacker())]);
    const list = memberListSchema.parse(
      await ok(await call("GET", "/v1/admin/members", { token: ADMIN })),
    );
    const byId = new Map(list.members.map((m) => [m.machine_id, m]));
    expect(byId.get(a.id)).toMatchObject({
      enrolled: true,
      name: "listed-one",
      trust: 1,
      signals_today: 2,
    });
    expect(byId.get(b.id)).toMatchObject({ enrolled: false, signals_today: 0 });
    expect(byId.get(a.id)?.last_seen).not.toBeNull();
    expect(list.total).toBe(list.members.length);
  });

  it("revokes a member: its reports are forgotten, its token and login stop working", async () => {
    const ip = attacker();
    const ms = await Promise.all([member(), member(), member()]);
    for (const m of ms) await send(m, [signal(ip)]);
    const bad = ms[0] as (typeof ms)[number];
    const out = await ok<{ keys_forgotten: number; revoked: boolean }>(
      await call("DELETE", `/v1/admin/members/${bad.id}`, { token: ADMIN }),
    );
    expect(out).toMatchObject({ revoked: true, keys_forgotten: 1 });
    const e = explainSchema.parse(
      await ok(await call("GET", `/v1/admin/explain/${ip}`, { token: ADMIN })),
    );
    expect(e.reporters).toBe(2);
    expect(e.listed).toBe(false);
    expect(
      (await call("POST", "/v2/signals", { token: bad.token, body: [signal(ip)] })).status,
    ).toBe(403);
    const login = await call("POST", "/v2/watchers/login", {
      body: { machine_id: bad.id, password: bad.password, scenarios: [] },
    });
    expect((await ok<{ error: { code: string } }>(login, 403)).error.code).toBe("member_revoked");
  });

  it("answers 404 for an unknown member", async () => {
    expect((await call("GET", "/v1/admin/members/nobody", { token: ADMIN })).status).toBe(404);
    expect((await call("DELETE", "/v1/admin/members/nobody", { token: ADMIN })).status).toBe(404);
  });
});

describe("GET /v1/admin/explain/{ip}", () => {
  it("says why an address is listed, and why another is not", async () => {
    const ip = attacker();
    const ms = await Promise.all([member(true, "a"), member(true, "b"), member(true, "c")]);
    for (const m of ms) await send(m, [signal(ip)]);
    const listed = explainSchema.parse(
      await ok(await call("GET", `/v1/admin/explain/${ip}`, { token: ADMIN })),
    );
    expect(listed.verdict).toMatch(/^Listed since .*: 3 counted reporter\(s\), score 3/);
    expect(listed.reporters_detail.map((r) => r.name).sort()).toEqual(["a", "b", "c"]);
    expect(listed.needs).toEqual({ reporters: 3, score: 2.4, keep_score: 0.75 });
    const lone = attacker();
    await send(ms[0] as (typeof ms)[number], [signal(lone)]);
    const not = explainSchema.parse(
      await ok(await call("GET", `/v1/admin/explain/${lone}`, { token: ADMIN })),
    );
    expect(not.verdict).toMatch(/^Not listed: 1 counted reporter\(s\) in the window, 3 needed/);
  });
});

describe("the safe list", () => {
  it("starts from the published CDN and crawler ranges", async () => {
    const list = safeListSchema.parse(
      await ok(await call("GET", "/v1/admin/safelist", { token: ADMIN })),
    );
    expect(list.total).toBeGreaterThan(2000);
    expect(list.entries).toContainEqual({
      cidr: "104.16.0.0/13",
      source: "cdn_providers/cloudflare_ips",
      reason: "published list cdn_providers/cloudflare_ips",
    });
  });

  it("adding a network withdraws a listing inside it at once, and blocks it from then on", async () => {
    const ip = "91.200.12.7";
    const ms = await Promise.all([member(), member(), member()]);
    for (const m of ms) await send(m, [signal(ip)]);
    const reader = await member();
    await pullUntil(reader, ip);
    const cidr = "91.200.12.0/24";
    const added = await ok<{ delisted: number }>(
      await call("POST", "/v1/admin/safelist", {
        token: ADMIN,
        body: { cidr, reason: "our partner's NAT" },
      }),
      201,
    );
    expect(added.delisted).toBe(1);
    const e = explainSchema.parse(
      await ok(await call("GET", `/v1/admin/explain/${ip}`, { token: ADMIN })),
    );
    expect(e).toMatchObject({ listed: false, classification: "safe" });
    const deadline = Date.now() + 20_000;
    let deleted: string[] = [];
    while (deleted.length === 0 && Date.now() < deadline)
      deleted = (await pull(reader)).deleted.map((d) => d.value);
    expect(deleted).toEqual([ip]);
    // Removed again: the address can be listed by new reports.
    const del = await call("DELETE", `/v1/admin/safelist/${encodeURIComponent(cidr)}`, {
      token: ADMIN,
    });
    expect(del.status).toBe(200);
  });

  it("replaces a whole source from its published text, refusing a bad line whole", async () => {
    const bad = await ok<{ error: { code: string }; message?: string }>(
      await call("PUT", "/v1/admin/safelist/sources/cdn_providers/cloudflare_ips", {
        token: ADMIN,
        text: "104.16.0.0/13\nnot-a-range\n",
      }),
      422,
    );
    expect(bad.error.code).toBe("invalid_source_line");
    const out = await ok<{ entries: number }>(
      await call("PUT", "/v1/admin/safelist/sources/cdn_providers/cloudflare_ips", {
        token: ADMIN,
        text: "# Cloudflare, new edition\n104.16.0.0/13\n198.41.128.0/17\n",
      }),
    );
    expect(out.entries).toBe(2);
    const list = safeListSchema.parse(
      await ok(await call("GET", "/v1/admin/safelist", { token: ADMIN })),
    );
    const cf = list.entries
      .filter((e) => e.source === "cdn_providers/cloudflare_ips")
      .map((e) => e.cidr);
    expect(cf).toEqual(["104.16.0.0/13", "198.41.128.0/17"]);
  });

  it("refuses a bad CIDR (422) and removing what is not an entry (404)", async () => {
    const res = await call("POST", "/v1/admin/safelist", {
      token: ADMIN,
      body: { cidr: "1.2.3.4/40", reason: "x" },
    });
    expect((await ok<{ error: { path: string } }>(res, 422)).error.path).toBe("body.cidr");
    const missing = await call("DELETE", `/v1/admin/safelist/${encodeURIComponent("8.8.8.0/24")}`, {
      token: ADMIN,
    });
    expect((await ok<{ error: { code: string } }>(missing, 404)).error.code).toBe(
      "not_safe_listed",
    );
  });
});

describe("GET /v1/admin/status", () => {
  it("gives the list's version, size and the service's figures", async () => {
    const s = commonsStatusSchema.parse(
      await ok(await call("GET", "/v1/admin/status", { token: ADMIN })),
    );
    expect(s.shards).toBe(4);
    expect(s.certified_versions).toBeGreaterThan(1700);
    expect(s.safe_entries).toBeGreaterThan(2000);
    expect(s.members).toBeGreaterThanOrEqual(s.enrolled);
  });
});
