import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { decodeSnapshot, KV_KEYS, type Manifest } from "../../src/core/blocklist/index";
import { COMPACT_AFTER_ENTRIES } from "../../src/durable/ledger/kv-writer";
import type { RecordItem } from "../../src/durable/ledger/records";
import { ledgerHousekeeping } from "../../src/ingest/index";
import { blocklistFromKv, flushKv, ledger, ledgerChanges, ledgerKvState } from "./ingest-support";

const HOUR = 3_600_000;

function item(ref: string, ip: string, until: number, type = "ban"): RecordItem {
  const start = Date.now();
  return {
    ref,
    alert: null,
    decisions: [
      { type, scope: "Ip", value: ip, origin: "cscli", scenario: "manual", start, until },
    ],
  };
}

async function manifest(): Promise<Manifest | null> {
  return env.BLOCKLIST.get<Manifest>(KV_KEYS.manifest, "json");
}

describe("Ledger", () => {
  it("writes an empty base on its first housekeeping, so the edge finds a manifest", async () => {
    await ledgerHousekeeping(env);
    const m = await manifest();
    expect(m).toMatchObject({ v: 2, epoch: 1, deltas: [] });
    expect(m?.base?.parts.map((p) => p.key)).toEqual([KV_KEYS.base(1)]);
    const base = await env.BLOCKLIST.get(KV_KEYS.base(1), "arrayBuffer");
    expect(decodeSnapshot(new Uint8Array(base ?? new ArrayBuffer(0)))).toEqual([]);
  });

  it("records idempotently per ref, with a new seq for every change", async () => {
    const until = Date.now() + HOUR;
    const [a] = await ledger().record([item("t:1", "198.51.100.1", until)]);
    const seq = (await ledgerChanges(0)).seq;
    const [again] = await ledger().record([item("t:1", "198.51.100.1", until)]);
    expect(again).toEqual(a);
    expect((await ledgerChanges(0)).seq).toBe(seq);
    const [b] = await ledger().record([item("t:2", "198.51.100.2", until)]);
    expect(b?.ids[0]).toBeGreaterThan(a?.ids[0] ?? 0);
    expect((await ledgerChanges(seq)).added.map((d) => d.value)).toEqual(["198.51.100.2"]);
    expect(await ledger().expire([a?.ids[0] ?? -1, a?.ids[0] ?? -1])).toBe(1);
    expect(await ledger().expire([a?.ids[0] ?? -1])).toBe(0);
  });

  it("coalesces many decisions into one delta, compacts past the threshold", async () => {
    await flushKv();
    const before = (await ledgerKvState()).epoch;
    const until = Date.now() + HOUR;
    await ledger().record(
      Array.from({ length: 20 }, (_, i) => item(`c:${i}`, `198.51.101.${i}`, until)),
    );
    await flushKv();
    const m = await manifest();
    expect(m?.epoch).toBe(before);
    const last = m?.deltas[m.deltas.length - 1] ?? "";
    const ops = await env.BLOCKLIST.get<unknown[]>(last, "json");
    expect(ops?.length).toBeGreaterThanOrEqual(20);
    const many = Array.from({ length: COMPACT_AFTER_ENTRIES + 1 }, (_, i) =>
      item(`m:${i}`, `10.${(i >> 8) + 200}.${i & 255}.1`, until, "captcha"),
    );
    await ledger().record(many);
    await flushKv();
    const after = await manifest();
    expect(after?.epoch).toBe(before + 1);
    expect(after?.deltas).toEqual([]);
    const list = await blocklistFromKv();
    expect(list.lookup({ ip: "10.200.0.1" }, Date.now())?.type).toBe("captcha");
    expect(list.lookup({ ip: "198.51.101.3" }, Date.now())?.type).toBe("ban");
    // The superseded base is deleted later, not while edges may still read it.
    const garbage = await runInDurableObject(ledger(), (_, state) =>
      state.storage.sql.exec<{ key: string }>("SELECT key FROM kv_garbage").toArray(),
    );
    expect(garbage.map((g) => g.key)).toContain(KV_KEYS.base(before));
  });

  it("the cron expires decisions whose tracker alarm was missed", async () => {
    const [r] = await ledger().record([item("o:1", "198.51.102.1", Date.now() - 5 * 60_000)]);
    const id = r?.ids[0] ?? -1;
    await ledgerHousekeeping(env);
    const row = await ledger().decision(id);
    expect(row?.deleted_seq).not.toBeNull();
  });
});
