import { createScheduledController } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ingestResponseSchema } from "../../src/contract/ingest";
import worker from "../../src/worker";
import {
  batch,
  flushKv,
  ledgerChanges,
  log4shellLine,
  postIngest,
  probingLines,
} from "./ingest-support";

const now = Date.now();

afterEach(() => {
  vi.restoreAllMocks();
});

describe("ingest → decision → KV → edge", () => {
  it("an attack ingested through the Worker is answered 403 at the edge, others reach the origin", async () => {
    const attacker = "203.0.113.150";
    const res = await postIngest(batch([log4shellLine(attacker, now)]));
    expect(ingestResponseSchema.parse(await res.json())).toMatchObject({ decisions: 1 });
    await flushKv();
    const origin = vi
      .spyOn(globalThis, "fetch")
      .mockImplementation(async () => new Response("from the origin"));
    const blocked = await exports.default.fetch("https://example.com/shop", {
      headers: { "CF-Connecting-IP": attacker, Accept: "application/json" },
    });
    expect(blocked.status).toBe(403);
    expect(origin).not.toHaveBeenCalled();
    const visitor = await exports.default.fetch("https://example.com/shop", {
      headers: { "CF-Connecting-IP": "198.51.100.77" },
    });
    expect(visitor.status).toBe(200);
    expect(await visitor.text()).toBe("from the origin");
  });

  it("a web prober gets the captcha challenge rather than a ban the first time", async () => {
    const prober = "203.0.113.151";
    await postIngest(batch(probingLines(prober, now)));
    await flushKv();
    // The isolate refreshes its copy every BLOCKLIST_REFRESH_MS: ask the Ledger instead.
    const { added } = await ledgerChanges(0);
    expect(added.find((d) => d.value === prober)?.type).toBe("captcha");
  });

  it("answers 405 to another method on the ingest route", async () => {
    const res = await exports.default.fetch("https://example.com/_palisade/v1/ingest");
    expect(res.status).toBe(405);
    expect(res.headers.get("Allow")).toBe("POST");
  });

  it("the cron runs the Ledger's housekeeping", async () => {
    await worker.scheduled(createScheduledController(), env);
    const m = await env.BLOCKLIST.get<{ v: number; base: { parts: { key: string }[] } | null }>(
      "bl:manifest",
      "json",
    );
    expect(m?.v).toBe(2);
    expect(m?.base?.parts[0]?.key).toMatch(/^bl:base:\d+$/);
  });
});
