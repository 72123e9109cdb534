import { listDurableObjectIds } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ingestResponseSchema, MAX_LINE_CHARS } from "../../src/contract/ingest";
import { hashToken } from "../../src/durable/ledger/token";
import {
  accessLine,
  batch,
  benignLines,
  benignSyslog,
  failedSsh,
  gzip,
  ledger,
  ledgerChanges,
  log4shellLine,
  postIngest,
  probingLines,
  stateSnapshot,
} from "./ingest-support";

const now = Date.now();

async function errorOf(res: Response) {
  return ((await res.json()) as { error: { code: string; message: string; path?: string } }).error;
}

describe("ingest authentication", () => {
  it("answers 401 without a token and 403 with a wrong one, changing nothing", async () => {
    const before = await stateSnapshot();
    const body = batch(probingLines("203.0.113.10", now));
    const none = await postIngest(body, { token: null });
    expect(none.status).toBe(401);
    expect(none.headers.get("WWW-Authenticate")).toMatch(/^Bearer/);
    expect((await errorOf(none)).code).toBe("unauthenticated");
    const malformed = await postIngest(body, { token: "two words" });
    expect(malformed.status).toBe(401);
    const wrong = await postIngest(body, { token: "not-the-token" });
    expect(wrong.status).toBe(403);
    expect(await errorOf(wrong)).toMatchObject({ code: "forbidden" });
    expect(await stateSnapshot()).toEqual(before);
  });

  it("accepts a machine token registered (hashed) in the Ledger", async () => {
    await ledger().createMachine("web-1", await hashToken("web-1-secret"));
    const res = await postIngest(batch(benignLines("198.51.100.20", now, 3)), {
      token: "web-1-secret",
    });
    expect(res.status).toBe(200);
    await ledger().removeMachine("web-1");
    const after = await postIngest(batch(benignLines("198.51.100.20", now, 3)), {
      token: "web-1-secret",
    });
    expect(after.status).toBe(403);
  });
});

describe("ingest validation", () => {
  it("answers 415 for another content type or encoding", async () => {
    const body = batch(benignLines("198.51.100.21", now, 2));
    const text = await postIngest(body, { contentType: "text/plain" });
    expect(text.status).toBe(415);
    expect(await errorOf(text)).toMatchObject({ path: "headers.content-type" });
    const br = await postIngest(body, { encoding: "br" });
    expect(br.status).toBe(415);
  });

  it("answers 422 with the offending path", async () => {
    const cases: [unknown, string][] = [
      [{ source: { type: "nginx" }, lines: [] }, "batch_id"],
      [{ batch_id: "b 1", source: { type: "nginx" }, lines: [] }, "batch_id"],
      [{ batch_id: "b1", source: {}, lines: [] }, "source.type"],
      [{ batch_id: "b1", source: { type: "nginx" }, lines: ["ok", 7] }, "lines[1]"],
      [
        { batch_id: "b1", source: { type: "nginx", timezone: "Mars/Olympus" }, lines: [] },
        "source.timezone",
      ],
      [{ batch_id: "b1", source: { type: "iis" }, lines: [] }, "source.type"],
    ];
    for (const [body, path] of cases) {
      const res = await postIngest(body as object);
      expect(res.status, JSON.stringify(body)).toBe(422);
      expect((await errorOf(res)).path).toBe(path);
    }
  });

  it("answers 400 for a body that is not JSON, 413 past MAX_INGEST_BYTES", async () => {
    const bad = await postIngest('{"batch_id": "b1", "source":');
    expect(bad.status).toBe(400);
    expect((await errorOf(bad)).code).toBe("bad_json");
    const big = await postIngest(
      batch(Array.from({ length: 60_000 }, (_, i) => accessLine("198.51.100.22", now + i, "/"))),
    );
    expect(big.status).toBe(413);
  });

  it("answers a 1 MB hostile batch with an error and no state change", async () => {
    const before = await stateSnapshot();
    const attack = probingLines("203.0.113.66", now);
    // A valid attack, then one line of a megabyte: the whole batch is refused.
    const longLine = await postIngest(batch([...attack, "A".repeat(1_000_000)]));
    expect(longLine.status).toBe(422);
    expect(await errorOf(longLine)).toMatchObject({ path: `lines[${attack.length}]` });
    expect(MAX_LINE_CHARS).toBeLessThan(1_000_000);
    // A megabyte of nesting where the lines should be.
    const nested = `{"batch_id":"h2","source":{"type":"nginx"},"lines":[${"[".repeat(500_000)}${"]".repeat(500_000)}]}`;
    const deep = await postIngest(nested);
    expect([400, 422]).toContain(deep.status);
    // A gzip bomb: 1 MB on the wire, far more than MAX_INGEST_BYTES once inflated.
    const bomb = await gzip(
      `{"batch_id":"h3","source":{"type":"nginx"},"lines":["${"A".repeat(60_000_000)}"]}`,
    );
    expect(bomb.byteLength).toBeLessThan(1_000_000);
    const inflated = await postIngest(bomb, { encoding: "gzip" });
    expect(inflated.status).toBe(413);
    // A megabyte of lines of the wrong type.
    const typed = await postIngest({
      batch_id: "h4",
      source: { type: "nginx" },
      lines: [...attack, ...Array.from({ length: 100_000 }, () => ({ x: 1 }))],
    });
    expect(typed.status).toBe(422);
    expect(await stateSnapshot()).toEqual(before);
  });
});

describe("ingest processing", () => {
  it("drops events no scenario wants before any Durable Object call", async () => {
    const before = (await listDurableObjectIds(env.SOURCES)).length;
    const lines = [
      ...benignSyslog("198.51.100.30", now, 40),
      ...benignSyslog("198.51.100.31", now, 40),
      "not a syslog line",
    ];
    const res = await postIngest(batch(lines, "syslog"));
    expect(res.status).toBe(200);
    const body = ingestResponseSchema.parse(await res.json());
    expect(body).toMatchObject({
      accepted: 81,
      parsed: 80,
      unparsed: 1,
      filtered: 80,
      forwarded: 0,
      queued: 0,
      sources: 0,
      duplicate: false,
    });
    expect((await listDurableObjectIds(env.SOURCES)).length).toBe(before);
  });

  it("forwards only the events a scenario wants, one call per source", async () => {
    const before = (await listDurableObjectIds(env.SOURCES)).length;
    const lines = [
      ...benignSyslog("198.51.100.40", now, 10),
      failedSsh("198.51.100.41", now),
      failedSsh("::ffff:198.51.100.41", now + 1000),
      failedSsh("2001:db8:1:2::7", now + 1000),
      failedSsh("2001:db8:1:2::8", now + 2000),
    ];
    const res = await postIngest(batch(lines, "syslog"));
    const body = ingestResponseSchema.parse(await res.json());
    // The IPv4-mapped address is the IPv4 one; two addresses of one /64 share a tracker.
    expect(body).toMatchObject({ parsed: 14, filtered: 10, forwarded: 4, sources: 2 });
    expect((await listDurableObjectIds(env.SOURCES)).length).toBe(before + 2);
  });

  it("pours every http access event (http-flood counts them all), one call per IP", async () => {
    const before = (await listDurableObjectIds(env.SOURCES)).length;
    const lines = [
      ...benignLines("198.51.100.50", now, 40),
      ...benignLines("198.51.100.51", now, 40),
    ];
    const body = ingestResponseSchema.parse(await (await postIngest(batch(lines))).json());
    expect(body).toMatchObject({ parsed: 80, filtered: 0, forwarded: 80, sources: 2, alerts: 0 });
    expect((await listDurableObjectIds(env.SOURCES)).length).toBe(before + 2);
  });

  it("acknowledges a batch id already completed without counting it again", async () => {
    const b = batch([log4shellLine("203.0.113.80", now)]);
    const first = ingestResponseSchema.parse(await (await postIngest(b)).json());
    expect(first).toMatchObject({ forwarded: 1, alerts: 1, decisions: 1, duplicate: false });
    const seq = (await ledgerChanges(0)).seq;
    const again = ingestResponseSchema.parse(await (await postIngest(b)).json());
    expect(again).toEqual({ ...first, duplicate: true });
    expect((await ledgerChanges(0)).seq).toBe(seq);
  });

  it("reads NDJSON (raw and JSON-string lines) and gzip", async () => {
    const ip = "203.0.113.90";
    const header = JSON.stringify({ batch_id: `nd-${now}`, source: { type: "nginx" } });
    const lines = probingLines(ip, now);
    const text = [
      header,
      ...lines.slice(0, 6),
      ...lines.slice(6).map((l) => JSON.stringify(l)),
      "",
    ].join("\r\n");
    const res = await postIngest(await gzip(text), {
      contentType: "application/x-ndjson",
      encoding: "gzip",
    });
    expect(res.status).toBe(200);
    const body = ingestResponseSchema.parse(await res.json());
    expect(body).toMatchObject({ accepted: 12, parsed: 12, forwarded: 12, alerts: 1 });
  });
});
