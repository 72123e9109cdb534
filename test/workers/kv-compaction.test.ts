import { describe, expect, it } from "vitest";
import {
  type DecisionEntry,
  encodeSnapshot,
  KV_KEYS,
  type Manifest,
  SnapshotAssembler,
} from "../../src/core/blocklist/index";
import { CHUNK_ROWS, streamSnapshot } from "../../src/durable/ledger/kv-compact";
import type { LedgerDecisionRow } from "../../src/durable/ledger/store";
import {
  decisionInput,
  type LedgerSql,
  RecordingKv,
  recordDecisions,
  withLedgerSql,
} from "./kv-support";

// Compaction streams live decisions from the Ledger's SQLite, in snapshot order, into the
// part encoder: the bytes are the in-memory encoder's, and what it holds is one chunk of
// rows and one part, whatever the number of decisions.

const NOW = Date.now();
const HOUR = 3_600_000;

/** What the in-memory encoder makes of the same decisions: every live row, as the writer reads it. */
function inMemory(l: LedgerSql, now: number): Uint8Array {
  const rows = l.sql
    .exec<LedgerDecisionRow>("SELECT * FROM decisions WHERE deleted_seq IS NULL AND until > ?", now)
    .toArray();
  return encodeSnapshot(rows.flatMap((r) => l.writer.entryOf(r) ?? []) as DecisionEntry[]);
}

function manifestOf(kv: RecordingKv): Manifest {
  return JSON.parse(kv.values.get(KV_KEYS.manifest) as string) as Manifest;
}

function assembled(kv: RecordingKv): Uint8Array {
  const m = manifestOf(kv);
  const base = m.base as NonNullable<Manifest["base"]>;
  const a = new SnapshotAssembler(base);
  base.parts.forEach((p, i) => {
    a.add(i, kv.values.get(p.key) as Uint8Array);
  });
  return a.finish();
}

function same(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && a.every((x, i) => x === b[i]);
}

describe("streaming compaction", () => {
  it("writes the same bytes as the in-memory encoder, from SQLite in snapshot order", async () => {
    const kv = new RecordingKv();
    await withLedgerSql(kv, {}, async (l) => {
      const live = NOW + HOUR;
      const ids = recordDecisions(
        l,
        [
          decisionInput("Ip", "203.0.113.9", live),
          decisionInput("Ip", "192.0.2.1", live, "captcha"),
          // Two addresses of one /64: one entry key, ordered by id.
          decisionInput("Ip", "2001:db8:1:2::9", live),
          decisionInput("Ip", "2001:db8:1:2::1", live, "throttle"),
          decisionInput("Ip", "::ffff:198.51.100.4", live),
          decisionInput("Range", "10.0.0.0/8", live),
          decisionInput("Range", "10.1.0.0/16", live, "captcha"),
          decisionInput("Range", "10.1.2.3/8", live, "mfa"),
          decisionInput("Range", "2001:db8::/32", live),
          decisionInput("Country", "fr", live),
          decisionInput("AS", "AS13335", live),
          decisionInput("Username", "root", live),
          decisionInput("Ip", "198.51.100.77", NOW - 1000),
          decisionInput("Ip", "198.51.100.78", live),
        ],
        NOW - 10 * HOUR,
      );
      l.store.delete([ids[ids.length - 1] as number], NOW);
      expect(await l.writer.compact(NOW)).toBe("base");
      const m = manifestOf(kv);
      expect(m.base?.parts.map((p) => p.key)).toEqual([KV_KEYS.base(1)]);
      const bytes = kv.values.get(KV_KEYS.base(1)) as Uint8Array;
      expect(same(bytes, inMemory(l, NOW))).toBe(true);
      expect(l.writer.state().lastCompaction).toMatchObject({ rows: 11, parts: 1, chunks: 1 });
    });
  });

  it("holds one chunk of rows and one part, however many decisions: measured through its sink", async () => {
    const kv = new RecordingKv();
    await withLedgerSql(kv, {}, async (l) => {
      const PART = 16 * 1024;
      const ip = (i: number) => `11.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
      const add = (from: number, to: number) =>
        recordDecisions(
          l,
          Array.from({ length: to - from }, (_, k) =>
            decisionInput(
              k % 5 ? "Ip" : "Range",
              k % 5 ? ip(from + k) : `${ip(from + k)}/32`,
              NOW + HOUR,
            ),
          ),
          NOW,
        );
      // The sink: every part the encoder hands over, and how many rows had been read by then.
      let rowsRead = 0;
      const counted = {
        exec: (query: string, ...params: SqlStorageValue[]) => {
          const cursor = l.sql.exec(query, ...params);
          return {
            toArray: () => {
              const rows = cursor.toArray();
              rowsRead += rows.length;
              return rows;
            },
          };
        },
      } as unknown as SqlStorage;
      const run = async () => {
        rowsRead = 0;
        const sink: { bytes: number; rowsRead: number }[] = [];
        const out = await streamSnapshot(counted, NOW, PART, async (i, part) => {
          sink.push({ bytes: part.data.byteLength, rowsRead });
          kv.values.set(KV_KEYS.part(99, i), part.data);
          return KV_KEYS.part(99, i);
        });
        return { ...out, sink };
      };
      add(0, 5_000);
      const small = await run();
      add(5_000, 25_000);
      const large = await run();
      expect(large.rows).toBe(25_000);
      expect(large.chunks).toBe(Math.ceil(25_000 / CHUNK_ROWS));
      expect(large.sink.length).toBeGreaterThan(3 * small.sink.length);
      for (const s of large.sink) expect(s.bytes).toBeLessThanOrEqual(PART);
      // Parts leave while rows are still being read: the first before the second chunk.
      expect(large.sink[0]?.rowsRead).toBeLessThanOrEqual(CHUNK_ROWS);
      // What the encoder held at most does not grow with the list: a part's columns and bytes.
      expect(large.peak).toBeLessThan(small.peak * 1.1);
      expect(large.peak).toBeLessThan(3 * PART);
      // And the parts are the list.
      const a = new SnapshotAssembler(large.base);
      large.base.parts.forEach((p, i) => {
        a.add(i, kv.values.get(p.key) as Uint8Array);
      });
      expect(same(a.finish(), inMemory(l, NOW))).toBe(true);
    });
  }, 120_000);

  it("splits a base too large for one value and names every part in the manifest", async () => {
    const kv = new RecordingKv();
    await withLedgerSql(kv, { partBytes: 16 * 1024 }, async (l) => {
      recordDecisions(
        l,
        Array.from({ length: 3000 }, (_, i) =>
          decisionInput("Range", `2001:db8:${i.toString(16)}::/48`, NOW + HOUR),
        ),
        NOW,
      );
      expect(await l.writer.compact(NOW)).toBe("base");
      const m = manifestOf(kv);
      const parts = m.base?.parts ?? [];
      expect(parts.length).toBeGreaterThanOrEqual(8);
      expect(kv.puts.map((p) => p.key)).toEqual([...parts.map((p) => p.key), KV_KEYS.manifest]);
      expect(same(assembled(kv), inMemory(l, NOW))).toBe(true);
      // A compaction costs its parts and the manifest, spent from the budget.
      expect(l.writer.spend.spentToday("writes", NOW)).toBe(parts.length + 1);
      // The next one supersedes these parts: deleted after a grace period, not at once.
      expect(await l.writer.compact(NOW + 1000)).toBe("base");
      expect(await l.writer.collect(NOW + 2000)).toBe(0);
      expect(await l.writer.collect(NOW + HOUR)).toBe(parts.length);
      expect(kv.deletes).toEqual(parts.map((p) => p.key));
    });
  });
});
