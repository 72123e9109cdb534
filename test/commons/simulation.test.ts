import { describe, expect, it } from "vitest";
import { DEFAULT_CONSENSUS } from "../../src/commons/consensus/params";
import { explainOf } from "../../src/commons/consensus/reputation";
import { keyOf } from "../../src/commons/policy/signal";
import { shardOf } from "../../src/commons/shard-key";
import type { CapiSignal } from "../../src/contract/capi-signal";
import {
  CERTIFIED,
  MODIFIED,
  pick,
  publicIpv4,
  publicIpv6Prefix,
  rng,
  signal,
} from "./support/sim-world";
import { SimulatedCommons } from "./support/simulated-commons";

// Three weeks of a commons with 1,000 honest members and colluding minorities, hour by
// hour, through the same policy, bound, deduplication, consensus and trust code the
// Worker and its Durable Objects run (only the stores are maps). The claims of
// src/commons/README.md: no victim is ever listed, every attacker seen by enough honest
// members is, and listings decay once reports stop.

const HOUR = 3_600_000;
const DAYS = 21;
const T0 = Date.UTC(2026, 2, 2);
const BOUND = 1_000;

interface Attacker {
  key: string;
  observers: string[];
  reportTimes: number[];
  lastReport: number;
}

type Plan = Map<number, Map<string, CapiSignal[]>>;

function plan(at: Plan, member: string, s: CapiSignal, time: number): void {
  const hour = Math.floor((time - T0) / HOUR);
  const byMember = at.get(hour) ?? new Map<string, CapiSignal[]>();
  byMember.set(member, [...(byMember.get(member) ?? []), s]);
  at.set(hour, byMember);
}

function world() {
  const r = rng(20261204);
  const commons = new SimulatedCommons(DEFAULT_CONSENSUS, BOUND);
  const honest = Array.from({ length: 1000 }, (_, i) => `honest-${i}`);
  for (const id of honest) commons.addMember(id, true);
  const sybils = Array.from({ length: 10 }, (_, i) => `sybil-${i}`);
  for (const id of sybils) commons.addMember(id, false);
  const colluders = ["colluder-a", "colluder-b"];
  for (const id of colluders) commons.addMember(id, true);
  const behindCdn = Array.from({ length: 5 }, (_, i) => `cdn-misread-${i}`);
  for (const id of behindCdn) commons.addMember(id, true);
  const modified = Array.from({ length: 6 }, (_, i) => `modified-${i}`);
  for (const id of modified) commons.addMember(id, true);

  const at: Plan = new Map();
  const taken = new Set<string>();
  const attackers: Attacker[] = [];
  for (let a = 0; a < 450; a++) {
    const v6 = a >= 400 ? publicIpv6Prefix(r) : undefined;
    const ip = v6 ? v6.address() : publicIpv4(r, commons.safeList, taken);
    const u = r();
    const k = u < 0.25 ? 1 : u < 0.4 ? 2 : 3 + Math.floor(r() * 28);
    const observers = new Set<string>();
    while (observers.size < k) observers.add(pick(r, honest));
    const start = T0 + Math.floor(r() * 18 * 24) * HOUR;
    const span = (1 + Math.floor(r() * 48)) * HOUR;
    const times: number[] = [];
    const scenario = pick(r, CERTIFIED);
    for (const m of observers) {
      for (let n = 1 + Math.floor(r() * 2); n > 0; n--) {
        const t = start + Math.floor(r() * span);
        // An IPv6 attacker rotates within its /64: each report may name another address.
        plan(at, m, signal(v6 ? v6.address() : ip, t, scenario), t);
        times.push(t);
      }
    }
    const key = keyOf(ip)?.key as string;
    attackers.push({
      key,
      observers: [...observers],
      reportTimes: times,
      lastReport: Math.max(...times),
    });
  }

  const victims = {
    sybil: "91.121.77.30",
    pair: "51.15.20.30",
    modified: "77.83.36.21",
    cdn: ["104.16.0.1", "104.16.132.229", "172.64.80.1", "162.158.1.10"],
    private: ["10.20.30.40", "192.168.1.10", "fd00::1"],
  };
  for (let h = 0; h < DAYS * 24; h++) {
    const t = T0 + h * HOUR + 60_000;
    for (const s of sybils) plan(at, s, signal(victims.sybil, t), t);
    for (const m of behindCdn) plan(at, m, signal(pick(r, victims.cdn), t + 1), t + 1);
    for (const m of modified) plan(at, m, signal(victims.modified, t + 2, MODIFIED), t + 2);
    if (h % 6 === 0) {
      for (const m of honest.slice(0, 20))
        plan(at, m, signal(pick(r, victims.private), t + 3), t + 3);
    }
  }
  // Each colluder reports the victim 10,000 times over the first days, in 500-signal batches.
  for (const c of colluders) {
    for (let b = 0; b < 20; b++) {
      const t = T0 + b * 4 * HOUR + 120_000;
      const batch = Array.from({ length: 500 }, () => signal(victims.pair, t));
      const hour = Math.floor((t - T0) / HOUR);
      const byMember = at.get(hour) ?? new Map<string, CapiSignal[]>();
      byMember.set(`${c}#${b}`, batch);
      at.set(hour, byMember);
    }
  }
  return { commons, attackers, victims, at, honest, behindCdn, colluders };
}

describe("consensus simulation: 1,000 honest members, colluding minorities, 21 days", () => {
  const w = world();
  const victimKeys = [
    w.victims.sybil,
    w.victims.pair,
    w.victims.modified,
    ...w.victims.cdn,
    ...w.victims.private.map((ip) => keyOf(ip)?.key as string),
  ];
  const listedVictimAt: string[] = [];
  const midway = new Map<string, ReturnType<typeof explainOf>>();
  let colluderBatchesRefused = 0;
  for (let h = 0; h <= DAYS * 24 + 14 * 24; h++) {
    const now = T0 + h * HOUR;
    const batches = [...(w.at.get(h) ?? new Map<string, CapiSignal[]>()).entries()];
    batches.sort((a, b) => Date.parse(a[1][0]?.stop_at ?? "") - Date.parse(b[1][0]?.stop_at ?? ""));
    for (const [who, signals] of batches) {
      const member = who.split("#")[0] as string;
      const t = Math.max(now, ...signals.map((s) => Date.parse(s.stop_at)));
      const ok = w.commons.send(member, signals, t);
      if (!ok && member.startsWith("colluder")) colluderBatchesRefused += 1;
    }
    w.commons.tick(now + HOUR - 1);
    for (const v of victimKeys) if (w.commons.isListed(v)) listedVictimAt.push(`${v} at hour ${h}`);
    if (h === 240) {
      for (const v of victimKeys) {
        const store = w.commons.shards[shardOf(v, w.commons.shards.length)];
        const rows = store?.reportsOf(v) ?? [];
        midway.set(v, explainOf(v, v, rows, undefined, now, DEFAULT_CONSENSUS, {}, new Map()));
      }
    }
  }

  it("never lists a victim: 10 unenrolled sybils, 2 enrolled colluders x 10,000 reports, a CDN edge, a modified scenario, private addresses", () => {
    expect(listedVictimAt).toEqual([]);
    for (const v of victimKeys) expect(w.commons.everListed.has(v), v).toBe(false);
  });

  it("kept the victims' reports, each with the reason it does not count (day 10)", () => {
    const why = (v: string) => midway.get(v)?.reporters_detail.map((r) => r.why) ?? [];
    expect(why(w.victims.sybil)).toHaveLength(10);
    expect(new Set(why(w.victims.sybil))).toEqual(new Set(["member not enrolled"]));
    expect(why(w.victims.modified)).toHaveLength(6);
    expect(why(w.victims.modified).every((x) => x.startsWith("modified scenario"))).toBe(true);
    const cdn = w.victims.cdn.flatMap(why);
    expect(cdn.length).toBeGreaterThanOrEqual(5);
    expect(cdn.every((x) => x.startsWith("safe list: "))).toBe(true);
    // The colluders count, and are two: one short of listing, however often they report.
    const pair = midway.get(w.victims.pair);
    expect(pair?.reporters).toBe(2);
    // 20 batches of 500 four hours apart span 4 UTC days: BOUND a day got through each.
    expect(pair?.reporters_detail.map((r) => r.reports)).toEqual([4 * BOUND, 4 * BOUND]);
    for (const ip of w.victims.private) expect(why(keyOf(ip)?.key as string)).toEqual([]);
  });

  it("refuses the colluders' flood past the daily bound, with nothing stored", () => {
    expect(colluderBatchesRefused).toBeGreaterThan(0);
    expect(w.commons.refused).toBeGreaterThanOrEqual(colluderBatchesRefused * 500);
  });

  it("lists every attacker seen by at least 3 honest members, at its third reporter", () => {
    const enough = w.attackers.filter((a) => a.observers.length >= 3);
    expect(enough.length).toBeGreaterThan(250);
    const missed = enough.filter((a) => !w.commons.everListed.has(a.key));
    expect(missed.map((a) => a.key)).toEqual([]);
    for (const a of enough) {
      expect(w.commons.everListed.get(a.key) as number).toBeLessThanOrEqual(a.lastReport);
    }
  });

  it("lists no address seen by fewer than 3 members, IPv6 attackers by their /64", () => {
    const few = w.attackers.filter((a) => a.observers.length < 3);
    expect(few.length).toBeGreaterThan(50);
    expect(few.filter((a) => w.commons.everListed.has(a.key)).map((a) => a.key)).toEqual([]);
    const v6 = w.attackers.filter((a) => a.key.includes("/64") && a.observers.length >= 3);
    expect(v6.length).toBeGreaterThan(10);
    for (const a of v6) expect(w.commons.everListed.has(a.key)).toBe(true);
  });

  it("delists every attacker once its reports stop (decay), two weeks after the last signals", () => {
    expect(w.commons.listedCount()).toBe(0);
  });

  it("moves trust: honest members rise, members reporting the CDN edge fall", () => {
    const honestTrust = w.honest.map((m) => w.commons.trust(m)).sort((a, b) => a - b);
    expect(honestTrust[Math.floor(honestTrust.length / 2)] as number).toBeGreaterThanOrEqual(1);
    for (const m of w.behindCdn) expect(w.commons.trust(m)).toBeLessThan(0.1);
    for (const m of w.colluders) expect(w.commons.trust(m)).toBeLessThanOrEqual(1);
  });
});
