import { describe, expect, it } from "vitest";
import { adminOk } from "./api-support";
import { accessLine, batch, postIngest } from "./ingest-support";

describe("long lines from one source", () => {
  it("are detected on without the bucket's stored state outgrowing a SQLite row", async () => {
    const ip = "203.0.113.201";
    const start = Date.now() - 60_000;
    // Forty 404s with 20 KB paths within seconds: a prober with long URLs. Each queued
    // event holds its line and the fields parsed from it several times over.
    const lines = Array.from({ length: 40 }, (_, i) =>
      accessLine(ip, start + i * 500, `/${String(i).padStart(3, "0")}-${"a".repeat(20_000)}`, 404),
    );
    const res = await postIngest(batch(lines));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { accepted?: number; parsed?: number };
    expect(body).toMatchObject({ parsed: 40 });
    // The prober is decided on as with short paths (http-probing).
    const live = await adminOk<{ decisions: { scenario: string }[] }>("GET", `/decisions?ip=${ip}`);
    expect(live.decisions.map((d) => d.scenario)).toContain("palisade/http-probing");
  });
});
