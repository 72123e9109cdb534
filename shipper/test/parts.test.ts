import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { systemClock } from "../src/clock";
import { parseDuration, parseSize } from "../src/config/units";
import { backoffDelay, parseRetryAfter } from "../src/delivery/backoff";
import { type Batch, Batcher, type Origin, type Position } from "../src/delivery/batcher";
import { maxJsonLength, writeJsonString } from "../src/delivery/json-bytes";
import { classify } from "../src/delivery/transport";
import { expandGlob, globMatch, isExcluded } from "../src/sources/glob";
import { LineSplitter } from "../src/sources/lines";
import { tempDir } from "./support";

function split(
  chunks: Array<string | Buffer>,
  max = 1000,
): { lines: Array<[string, number]>; s: LineSplitter } {
  const s = new LineSplitter(max);
  const lines: Array<[string, number]> = [];
  let base = 0;
  for (const c of chunks) {
    const b = typeof c === "string" ? Buffer.from(c) : c;
    s.push(b, base, (src, start, end, endOffset) =>
      lines.push([src.toString("utf8", start, end), endOffset]),
    );
    base += b.length;
  }
  return { lines, s };
}

describe("line splitting", () => {
  it("reports each line with the offset after its newline, holding the partial tail", () => {
    const { lines, s } = split(["ab\ncd", "e\r\nf", "gh"]);
    expect(lines).toEqual([
      ["ab", 3],
      ["cde", 8],
    ]);
    expect(s.partialBytes).toBe(3);
    const out: string[] = [];
    s.flush(11, (src, start, end) => out.push(src.toString("utf8", start, end)));
    expect(out).toEqual(["fgh"]);
  });

  it("keeps a UTF-8 character split across reads whole", () => {
    const euro = Buffer.from("€\n");
    expect(split([euro.subarray(0, 1), euro.subarray(1, 2), euro.subarray(2)]).lines).toEqual([
      ["€", 4],
    ]);
  });

  it("cuts lines longer than the limit without holding more than the limit", () => {
    const long = "x".repeat(50);
    const { lines, s } = split([`${long.slice(0, 30)}`, `${long.slice(30)}\nok\n`], 10);
    expect(lines).toEqual([
      ["x".repeat(10), 51],
      ["ok", 54],
    ]);
    expect(s.truncated).toBe(1);
  });

  it("drops the first partial line when reading starts mid-line", () => {
    const s = new LineSplitter(100);
    s.skipToNextLine();
    const out: string[] = [];
    s.push(Buffer.from("tail of a line\nnext\n"), 0, (src, start, end) =>
      out.push(src.toString("utf8", start, end)),
    );
    expect(out).toEqual(["next"]);
  });
});

describe("JSON from bytes", () => {
  const encode = (bytes: Uint8Array) => {
    const src = Buffer.from(bytes);
    const dst = Buffer.alloc(maxJsonLength(src.length));
    return dst.toString("utf8", 0, writeJsonString(dst, 0, src, 0, src.length));
  };

  it("escapes quotes, backslashes and control characters", () => {
    expect(encode(Buffer.from('a "quoted" \\ path\t\u0001é€😀'))).toBe(
      JSON.stringify('a "quoted" \\ path\t\u0001é€😀'),
    );
  });

  it("decodes any bytes as Buffer.toString does, bad UTF-8 as U+FFFD, always valid JSON", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        expect(JSON.parse(encode(bytes))).toBe(Buffer.from(bytes).toString("utf8"));
      }),
      { numRuns: 3000 },
    );
    const tricky = [
      [0xed, 0xa0, 0x80],
      [0xf4, 0x90, 0x80, 0x80],
      [0xe2, 0x82],
      [0xc0, 0xaf],
      [0xf0, 0x9f, 0x98],
    ];
    for (const t of tricky)
      expect(JSON.parse(encode(Uint8Array.from(t)))).toBe(Buffer.from(t).toString("utf8"));
  });
});

describe("globs", () => {
  it("matches CrowdSec-style patterns segment by segment", () => {
    expect(globMatch("/var/log/nginx/*.log", "/var/log/nginx/access.log")).toBe(true);
    expect(globMatch("/var/log/nginx/*.log", "/var/log/nginx/sub/access.log")).toBe(false);
    expect(globMatch("/var/log/*/access.log", "/var/log/site1/access.log")).toBe(true);
    expect(globMatch("/l/access.log.[0-9]", "/l/access.log.3")).toBe(true);
    expect(globMatch("/l/access.log.[!0-9]", "/l/access.log.3")).toBe(false);
    expect(globMatch("/l/a?.log", "/l/ab.log")).toBe(true);
  });

  it("ignores compressed files and honours exclude", () => {
    expect(isExcluded("/l/access.log.2.gz", [])).toBe(true);
    expect(isExcluded("/l/access.log.1.zst", [])).toBe(true);
    expect(isExcluded("/l/access.log.1", [])).toBe(false);
    expect(isExcluded("/l/error.log", ["error*"])).toBe(true);
  });

  it("expands wildcard directories and lists the directories to watch", async () => {
    const d = await tempDir();
    for (const site of ["a", "b"]) {
      mkdirSync(join(d, site));
      writeFileSync(join(d, site, "access.log"), "");
    }
    const ex = await expandGlob(join(d, "*", "access.log"), "/");
    expect(ex.files).toEqual([join(d, "a", "access.log"), join(d, "b", "access.log")]);
    expect(ex.dirs).toEqual([join(d, "a"), join(d, "b")]);
  });
});

describe("retry timing", () => {
  it("grows exponentially with jitter in [0.5, 1) of the step, capped", () => {
    expect([1, 2, 3, 4, 5].map((n) => backoffDelay(n, 100, 1000, () => 0))).toEqual([
      50, 100, 200, 400, 500,
    ]);
    expect(backoffDelay(60, 100, 1000, () => 0.999)).toBeLessThanOrEqual(1000);
  });

  it("reads Retry-After as seconds or an HTTP date", () => {
    expect(parseRetryAfter("7", 0)).toBe(7000);
    expect(parseRetryAfter("Thu, 01 Jan 1970 00:00:10 GMT", 4000)).toBe(6000);
    expect(parseRetryAfter("soon", 0)).toBeUndefined();
    expect(parseRetryAfter("999999", 0)).toBe(3_600_000);
  });

  it("classifies responses: done, retry, blocked, reject", () => {
    expect(classify(200, undefined, '{"accepted":3}', 0)).toEqual({
      kind: "ok",
      status: 200,
      accepted: 3,
      duplicate: false,
    });
    expect(classify(503, "2", "", 0)).toMatchObject({ kind: "retry", retryAfterMs: 2000 });
    expect(classify(429, undefined, "", 0).kind).toBe("retry");
    expect(classify(408, undefined, "", 0).kind).toBe("retry");
    expect(classify(401, undefined, "", 0).kind).toBe("blocked");
    expect(classify(404, undefined, "", 0).kind).toBe("blocked");
    expect(classify(400, undefined, "bad", 0)).toEqual({
      kind: "reject",
      status: 400,
      reason: "HTTP 400: bad",
    });
    expect(classify(413, undefined, "", 0).kind).toBe("reject");
  });
});

describe("units", () => {
  it("reads durations and sizes", () => {
    expect(["500ms", "2s", "1m30s", "1.5", 3].map((d) => parseDuration(d))).toEqual([
      500, 2000, 90_000, 1500, 3000,
    ]);
    expect(parseDuration("2 weeks")).toBeUndefined();
    expect(["512KiB", "256MB", "1g", 42].map((s) => parseSize(s))).toEqual([
      524_288, 256_000_000, 1e9, 42,
    ]);
    expect(parseSize("lots")).toBeUndefined();
  });
});

/** Adds a line given as text. */
function add(b: Batcher, text: string, origin: Origin | null, mark: number | string): void {
  const buf = Buffer.from(text);
  b.add(buf, 0, buf.length, origin, mark);
}

function linesOf(b: Batch): string[] {
  const body = JSON.parse((b.gzip ? gunzipSync(b.body) : b.body).toString("utf8"));
  expect(body.batch_id).toBe(b.id);
  return body.lines;
}

describe("batching", () => {
  function batcher(limits: { maxLines: number; maxBytes: number }) {
    const out: Batch[] = [];
    let n = 0;
    const b = new Batcher(
      { type: "nginx", labels: {} },
      { ...limits, maxWaitMs: 60_000 },
      systemClock,
      (x) => out.push(x),
      () => `id-${n++}`,
      undefined,
    );
    return { b, out };
  }
  const origin = (key: string): Origin => ({
    key,
    position: (m): Position => ({ kind: "journald", key, cursor: String(m) }),
  });

  it("cuts by line count and by size, recording where each origin's last line ended", () => {
    const { b, out } = batcher({ maxLines: 3, maxBytes: 1000 });
    const [x, y] = [origin("x"), origin("y")];
    add(b, "a", x, 1);
    add(b, "b", y, 10);
    add(b, "c", x, 2);
    add(b, "d", x, 3);
    b.flush();
    expect(out.map((o) => [o.id, linesOf(o), o.positions])).toEqual([
      [
        "id-0",
        ["a", "b", "c"],
        [
          { kind: "journald", key: "x", cursor: "2" },
          { kind: "journald", key: "y", cursor: "10" },
        ],
      ],
      ["id-1", ["d"], [{ kind: "journald", key: "x", cursor: "3" }]],
    ]);
    const bySize = batcher({ maxLines: 100, maxBytes: 20 });
    for (const t of ["aaaaaaa", "bbbbbbb", "ccccccc"]) add(bySize.b, t, null, 0);
    bySize.b.flush();
    expect(bySize.out.map(linesOf)).toEqual([["aaaaaaa", "bbbbbbb"], ["ccccccc"]]);
  });

  it("flushes a batch max_wait after its first line under light traffic", () => {
    const out: Batch[] = [];
    const timers: Array<[() => void, number]> = [];
    const clock = {
      ...systemClock,
      setTimer: (fn: () => void, ms: number) => {
        timers.push([fn, ms]);
        return setTimeout(() => {}, 0);
      },
    };
    const b = new Batcher(
      { type: "nginx", labels: {} },
      { maxLines: 100, maxBytes: 1000, maxWaitMs: 500 },
      clock,
      (x) => out.push(x),
      () => "id",
      1,
    );
    add(b, "first", null, 0);
    add(b, "second", null, 0);
    expect(timers.map((t) => t[1])).toEqual([500]);
    expect(out).toHaveLength(0);
    timers[0]?.[0]();
    expect(out.map(linesOf)).toEqual([["first", "second"]]);
  });
});
