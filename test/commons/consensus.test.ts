import { describe, expect, it } from "vitest";
import { commonsConfig } from "../../src/commons/config";
import { record, sweep } from "../../src/commons/consensus/engine";
import { DEFAULT_CONSENSUS, DEFAULT_TRUST } from "../../src/commons/consensus/params";
import { tally, verdict } from "../../src/commons/consensus/score";
import { trustOf } from "../../src/commons/consensus/trust";
import type { IncomingReport, ReportRow } from "../../src/commons/consensus/types";
import { MemoryStore } from "./support/memory-store";

const P = DEFAULT_CONSENSUS;
const H = P.halfLifeMs;
const T = Date.UTC(2026, 11, 4);

function row(member: string, lastAt: number, trust = 1, counted = true): ReportRow {
  return {
    key: "45.155.205.233",
    member,
    scenario: "crowdsecurity/ssh-bf",
    firstAt: lastAt,
    lastAt,
    count: 1,
    counted,
    why: counted ? "" : "member not enrolled",
    trust,
    corroboration: 0,
  };
}

function report(member: string, counted = true, trust = 1): IncomingReport {
  return {
    id: `${member}-${Math.random()}`,
    key: "45.155.205.233",
    scope: "Ip",
    member,
    scenario: "crowdsecurity/ssh-bf",
    counted,
    why: "",
    trust,
  };
}

describe("score and verdict", () => {
  it("lists at 3 distinct counted reporters with enough trust, not at 2 however often", () => {
    const two = tally([row("a", T), row("a", T), row("b", T)], T, P);
    expect(two.reporters).toHaveLength(2);
    expect(verdict(two, undefined, T, P).listed).toBe(false);
    const three = tally([row("a", T), row("b", T), row("c", T)], T, P);
    expect(verdict(three, undefined, T, P).listed).toBe(true);
    const weak = tally([row("a", T, 0.3), row("b", T, 0.3), row("c", T, 0.3)], T, P);
    expect(verdict(weak, undefined, T, P).listed).toBe(false);
    const sybils = tally([row("a", T, 1, false), row("b", T, 1, false), row("c", T)], T, P);
    expect(sybils.reporters).toHaveLength(1);
  });

  it("keeps a listing for log2(score / keep) half-lives after the last report", () => {
    const t = tally([row("a", T), row("b", T), row("c", T)], T, P);
    const v = verdict(t, undefined, T, P);
    expect(v.until).toBe(T + 2 * H); // 3 → 0.75 takes two half-lives
    const later = tally([row("a", T), row("b", T), row("c", T)], T + 2 * H + 1, P);
    expect(verdict(later, T, T + 2 * H + 1, P).listed).toBe(false);
  });

  it("lists reports spread over the window (support) for at least minListingMs", () => {
    const spread = [
      row("a", T),
      row("b", T + 3 * 24 * 3_600_000),
      row("c", T + 6 * 24 * 3_600_000),
    ];
    const now = T + 6 * 24 * 3_600_000;
    const v = verdict(tally(spread, now, P), undefined, now, P);
    expect(v.listed).toBe(true);
    expect(v.until - now).toBeGreaterThanOrEqual(P.minListingMs);
  });
});

describe("trust", () => {
  it("starts at 1, rises with corroboration, falls with uncorroborated and safe-listed reports", () => {
    const t = (c: number, u: number, s: number) =>
      trustOf({ corroborated: c, uncorroborated: u, safe: s }, DEFAULT_TRUST);
    expect(t(0, 0, 0)).toBe(1);
    expect(t(20, 0, 0)).toBeGreaterThan(1.6);
    expect(t(0, 40, 0)).toBe(0.5);
    expect(t(0, 80, 0)).toBeLessThan(0.34);
    expect(t(0, 0, 10)).toBeLessThan(0.25);
    expect(t(50, 200, 0)).toBeCloseTo(1, 1);
  });
});

describe("the engine over a store", () => {
  it("lists, credits the reports that listed, ignores later ones for trust, delists on decay", () => {
    const s = new MemoryStore();
    record(s, [report("a"), report("b")], T, P);
    expect(s.listingOf("45.155.205.233")).toBeUndefined();
    record(s, [report("c")], T + 1000, P);
    expect(s.outbox).toEqual([
      {
        op: "add",
        key: "45.155.205.233",
        scope: "Ip",
        scenario: "crowdsecurity/ssh-bf",
        until: expect.any(Number),
      },
    ]);
    expect(s.credits.map((c) => c.member).sort()).toEqual(["a", "b", "c"]);
    record(s, [report("d")], T + 2000, P);
    expect(s.credits).toHaveLength(3);
    expect(s.reportsOf("45.155.205.233").find((r) => r.member === "d")?.corroboration).toBe(2);
    sweep(s, T + 3 * H, P);
    expect(s.listingOf("45.155.205.233")).toBeUndefined();
    expect(s.outbox.at(-1)).toEqual({ op: "del", key: "45.155.205.233", scope: "Ip" });
  });

  it("charges a report that leaves the window uncorroborated", () => {
    const s = new MemoryStore();
    record(s, [report("lonely")], T, P);
    sweep(s, T + P.windowMs + 1, P);
    expect(s.credits).toEqual([
      { member: "lonely", delta: { corroborated: 0, uncorroborated: 1 } },
    ]);
    expect(s.reportsOf("45.155.205.233")).toEqual([]);
  });
});

describe("configuration", () => {
  it("reads the vars, defaults included", () => {
    const c = commonsConfig({
      COMMONS_MIN_REPORTERS: "5",
      COMMONS_WINDOW: "3d",
      COMMONS_PUBLISH_MS: "500",
    });
    expect(c.consensus).toMatchObject({ minReporters: 5, windowMs: 3 * 86_400_000, halfLifeMs: H });
    expect(c).toMatchObject({ publishMs: 500, dailySignals: 10_000, shards: 16, benchSeed: false });
  });

  it.each([
    [{ COMMONS_MIN_REPORTERS: "0" }, /COMMONS_MIN_REPORTERS="0" is not an integer from 1 to 1000/],
    [{ COMMONS_WINDOW: "soon" }, /COMMONS_WINDOW="soon" is not a duration/],
    [{ COMMONS_SHARDS: "1000" }, /COMMONS_SHARDS="1000"/],
    [{ COMMONS_HALF_LIFE: "30d", COMMONS_WINDOW: "7d" }, /COMMONS_HALF_LIFE/],
  ])("refuses %j naming the variable, its value and the rule", (vars, message) => {
    expect(() => commonsConfig(vars)).toThrow(message);
  });
});
