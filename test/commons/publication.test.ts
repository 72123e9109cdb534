import { describe, expect, it } from "vitest";
import { capiDecision, streamBody } from "../../src/commons/publication/capi";
import {
  CommonsSnapshot,
  encodeCommonsSnapshot,
  snapshotInput,
} from "../../src/commons/publication/snapshot";
import type { PublishedEntry } from "../../src/commons/publication/types";
import { capiStreamSchema } from "../../src/contract/capi";
import { Blocklist } from "../../src/core/blocklist/blocklist";

const NOW = Date.UTC(2026, 11, 4, 12);

const entries: PublishedEntry[] = [
  {
    id: 1,
    key: "45.155.205.233",
    scope: "Ip",
    scenario: "crowdsecurity/ssh-bf",
    until: NOW + 3_600_000,
  },
  {
    id: 7,
    key: "2a01:e0a:1f:2a0::/64",
    scope: "Range",
    scenario: "crowdsecurity/http-probing",
    until: NOW + 7_200_000,
  },
  {
    id: 3,
    key: "91.121.77.30",
    scope: "Ip",
    scenario: "crowdsecurity/ssh-bf",
    until: NOW + 60_000,
  },
];

describe("the commons' base snapshot", () => {
  const bytes = encodeCommonsSnapshot(snapshotInput(entries));

  it("reads back every entry with its scenario, IPv6 /64 keys included", () => {
    const s = new CommonsSnapshot(bytes);
    const back = Array.from({ length: s.size }, (_, i) => s.entry(i));
    expect(back.sort((a, b) => a.id - b.id)).toEqual(
      [...entries]
        .map((e) => ({ ...e, until: Math.ceil(e.until / 1000) * 1000 }))
        .sort((a, b) => a.id - b.id),
    );
  });

  it("embeds a core/blocklist snapshot the edge enforces as is (a /64 covers the prefix)", () => {
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    const n = view.getUint32(4, true);
    const at = ((8 + n * 2 + 7) & ~7) + 8;
    const snap = bytes.slice(at, at + view.getUint32(at - 8, true));
    const edge = Blocklist.fromSnapshot(snap);
    expect(edge.lookup({ ip: "45.155.205.233" }, NOW)?.type).toBe("ban");
    expect(edge.lookup({ ip: "2a01:e0a:1f:2a0:dead:beef::1" }, NOW)?.id).toBe(7);
    expect(edge.lookup({ ip: "45.155.205.234" }, NOW)).toBeUndefined();
  });
});

describe("the CAPI stream body", () => {
  it("writes 1.4.6's flat form, duration = time left in whole seconds", () => {
    expect(capiDecision(entries[0] as PublishedEntry, NOW)).toEqual({
      duration: "1h",
      origin: "CAPI",
      scenario: "crowdsecurity/ssh-bf",
      scope: "Ip",
      type: "ban",
      value: "45.155.205.233",
    });
    expect(
      capiDecision({ ...(entries[0] as PublishedEntry), until: NOW + 1500 }, NOW).duration,
    ).toBe("2s");
  });

  it("streams valid JSON in chunks, extra fields after the lists", async () => {
    const many = Array.from({ length: 4500 }, (_, i) =>
      capiDecision(
        { key: `45.1.${i >> 8}.${i & 255}`, scope: "Ip", scenario: "s", until: NOW + 1000 },
        NOW,
      ),
    );
    const chunks: string[] = [];
    for await (const c of streamBody(many, [], { seq: 9, full: true })) chunks.push(c);
    expect(chunks.length).toBeGreaterThan(3);
    const parsed = JSON.parse(chunks.join(""));
    expect(capiStreamSchema.parse(parsed).new).toHaveLength(4500);
    expect(parsed).toMatchObject({ seq: 9, full: true, deleted: [] });
    const empty: string[] = [];
    for await (const c of streamBody([], [])) empty.push(c);
    expect(JSON.parse(empty.join(""))).toEqual({ new: [], deleted: [] });
  });
});
