import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";

describe("worker entry", () => {
  it("answers its health route under /_palisade/", async () => {
    const res = await exports.default.fetch("https://example.com/_palisade/v1/health");
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ok: true });
  });
});
