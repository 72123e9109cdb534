import { describe, expect, it } from "vitest";
import { reputationSchema } from "../../src/contract/capi-commons";
import { ADMIN, attacker, call, member, ok, pullUntil, send, signal } from "./support";

// GET /v1/ip/{ip}: an address's standing, for enrolled members and the operator.

describe("GET /v1/ip/{ip}", () => {
  it("says listed, malicious, with its reporters, scenarios and times", async () => {
    const ip = attacker();
    for (const m of await Promise.all([member(), member(), member()])) await send(m, [signal(ip)]);
    const reader = await member();
    await pullUntil(reader, ip);
    const rep = reputationSchema.parse(
      await ok(await call("GET", `/v1/ip/${ip}`, { token: reader.token })),
    );
    expect(rep).toMatchObject({
      ip,
      key: ip,
      listed: true,
      reporters: 3,
      classification: "malicious",
    });
    expect(rep.scenarios).toEqual(["crowdsecurity/ssh-bf"]);
    expect(Date.parse(rep.until ?? "")).toBeGreaterThan(Date.now());
    expect(rep.first_seen).not.toBeNull();
  });

  it("classifies: suspicious (reported, not listed), safe (CDN), unknown (nothing; reserved)", async () => {
    const reader = await member();
    const ip = attacker();
    await send(reader, [signal(ip)]);
    const get = async (x: string) =>
      reputationSchema.parse(await ok(await call("GET", `/v1/ip/${x}`, { token: reader.token })));
    expect((await get(ip)).classification).toBe("suspicious");
    const cdn = await get("104.16.0.1");
    expect(cdn.classification).toBe("safe");
    expect(cdn.reason).toContain("cdn_providers/cloudflare_ips");
    expect((await get("8.8.4.4")).classification).toBe("unknown");
    const priv = await get("192.168.1.10");
    expect(priv).toMatchObject({ classification: "unknown", listed: false });
    expect(priv.reason).toContain("private network");
    expect((await get("2001:db8::1")).reason).toContain("documentation");
  });

  it("answers the operator's admin token too", async () => {
    const res = await call("GET", "/v1/ip/8.8.8.8", { token: ADMIN });
    expect(reputationSchema.parse(await ok(res)).ip).toBe("8.8.8.8");
  });

  it("refuses a non-IP (400), a member not enrolled (403), no token (401)", async () => {
    const m = await member();
    const bad = await ok<{ error: { path: string; code: string } }>(
      await call("GET", "/v1/ip/not-an-ip", { token: m.token }),
      400,
    );
    expect(bad.error).toMatchObject({ path: "params.ip", code: "invalid_ip" });
    const stranger = await member(false);
    expect((await call("GET", "/v1/ip/8.8.8.8", { token: stranger.token })).status).toBe(403);
    expect((await call("GET", "/v1/ip/8.8.8.8")).status).toBe(401);
  });
});
