import { describe, expect, it } from "vitest";
import type { Alert } from "../../src/core/alert";
import { loadAllowlist } from "../../src/core/allowlist";
import { type Decision, MemoryDecisionHistory } from "../../src/core/decision";
import type { Event } from "../../src/core/event";
import {
  alertPerSource,
  type CompiledProfile,
  decide,
  loadProfiles,
} from "../../src/core/profile/index";

const H = 3_600_000;
const T0 = Date.UTC(2024, 4, 1, 12);

function profiles(text: string): CompiledProfile[] {
  const r = loadProfiles([{ path: "p.yaml", text }]);
  if (!r.ok) throw new Error(r.errors.map((e) => `${e.path}: ${e.message}`).join("\n"));
  return r.value;
}

function event(meta: Record<string, string>): Event {
  return {
    Line: { Raw: "", Src: "t.log", Labels: {}, Module: "file" },
    Parsed: {},
    Meta: meta,
    Enriched: {},
    Unmarshaled: {},
    Time: T0,
    Whitelisted: false,
  };
}

function alert(ip: string, overrides: Partial<Alert> = {}): Alert {
  return {
    scenario: "crowdsecurity/ssh-bf",
    message: `${ip} performed 'crowdsecurity/ssh-bf' (6 events over 10s)`,
    source: { scope: "Ip", value: ip, ip },
    events_count: 6,
    start_at: T0 - 10_000,
    stop_at: T0,
    capacity: 5,
    leakspeed: 10_000,
    labels: { remediation: true },
    remediation: true,
    events: [event({ source_ip: ip, service: "ssh" })],
    ...overrides,
  };
}

const BAN = `decisions:\n  - type: ban\n    duration: 4h\n`;
const history = () => new MemoryDecisionHistory();

describe("profile flow", () => {
  it("applies a profile when any of its filters is true", () => {
    const p = profiles(
      `name: any\nfilters:\n  - Alert.GetScenario() == "nope"\n  - Alert.GetScope() == "Ip"\n${BAN}`,
    );
    const r = decide(alert("198.51.100.1"), p, { history: history(), now: T0 });
    expect(r.profile).toBe("any");
    expect(r.decisions).toEqual<Decision[]>([
      {
        type: "ban",
        scope: "Ip",
        value: "198.51.100.1",
        duration: 4 * H,
        origin: "palisade",
        scenario: "crowdsecurity/ssh-bf",
        start: T0,
        until: T0 + 4 * H,
      },
    ]);
  });
  it("gives nothing when no profile applies, e.g. without remediation", () => {
    const p = profiles(`name: r\nfilters: ["Alert.Remediation == true"]\n${BAN}`);
    const r = decide(alert("198.51.100.1", { remediation: false }), p, {
      history: history(),
      now: T0,
    });
    expect(r).toMatchObject({ decisions: [], allowlisted: false, matched: [] });
    expect(r.profile).toBeUndefined();
  });
  it("on_success: break stops at the first applying profile; continue goes on", () => {
    const two = (onSuccess: string) =>
      profiles(
        `name: first\nfilters: ["true"]\n${BAN}on_success: ${onSuccess}\n---\nname: second\nfilters: ["true"]\ndecisions:\n  - type: captcha\n    duration: 1h\n`,
      );
    const brk = decide(alert("198.51.100.1"), two("break"), { history: history(), now: T0 });
    expect(brk.matched).toEqual(["first"]);
    const cont = decide(alert("198.51.100.1"), two("continue"), { history: history(), now: T0 });
    expect(cont.matched).toEqual(["first", "second"]);
    // As in CrowdSec, only the first applying profile with decisions sets them.
    expect(cont.decisions.map((d) => d.type)).toEqual(["ban"]);
    expect(cont.profile).toBe("first");
  });
  it("takes decisions from a later profile when an earlier applying one has none", () => {
    const p = profiles(
      `name: notify\nfilters: ["true"]\n---\nname: ban\nfilters: ["true"]\n${BAN}`,
    );
    const r = decide(alert("198.51.100.1"), p, { history: history(), now: T0 });
    expect(r.matched).toEqual(["notify", "ban"]);
    expect(r.profile).toBe("ban");
  });
  it("on_failure: break stops when a profile does not apply", () => {
    const text = (onFailure: string) =>
      `name: gate\nfilters: ["Alert.GetScenario() == 'other'"]\n${BAN}on_failure: ${onFailure}\n---\nname: rest\nfilters: ["true"]\n${BAN}`;
    expect(
      decide(alert("198.51.100.1"), profiles(text("break")), { history: history(), now: T0 })
        .decisions,
    ).toEqual([]);
    expect(
      decide(alert("198.51.100.1"), profiles(text("continue")), { history: history(), now: T0 })
        .profile,
    ).toBe("rest");
  });
  it("a filter that does not yield a boolean follows on_error", () => {
    const text = (onError: string) =>
      `name: odd\nfilters: ["Alert.GetScenario()"]\n${BAN}${onError ? `on_error: ${onError}\n` : ""}---\nname: rest\nfilters: ["true"]\ndecisions:\n  - type: captcha\n    duration: 1h\n`;
    const dflt = decide(alert("198.51.100.1"), profiles(text("")), { history: history(), now: T0 });
    expect(dflt.profile).toBe("rest");
    expect(dflt.warnings[0]).toMatchObject({
      code: "profile.filter.runtime",
      path: "p.yaml#0:filters[0]",
    });
    expect(
      decide(alert("198.51.100.1"), profiles(text("apply")), { history: history(), now: T0 })
        .profile,
    ).toBe("odd");
    expect(
      decide(alert("198.51.100.1"), profiles(text("break")), { history: history(), now: T0 })
        .decisions,
    ).toEqual([]);
  });
  it("traces filters of a debug profile", () => {
    const p = profiles(
      `name: dbg\ndebug: true\nfilters: ["Alert.GetEventsCount() > 10", "Alert.GetEventsCount() > 5"]\n${BAN}`,
    );
    const r = decide(alert("198.51.100.1"), p, { history: history(), now: T0 });
    expect(r.debug).toEqual([
      "dbg: filters[0] Alert.GetEventsCount() > 10 → false",
      "dbg: filters[1] Alert.GetEventsCount() > 5 → true",
    ]);
  });
  it("marks custom origins and uses a profile's scope over the source's", () => {
    const p = profiles(
      `name: o\nfilters: ["true"]\ndecisions:\n  - type: ban\n    duration: 1h\n    scope: Range\n    origin: mine\n`,
    );
    const withRange = alert("198.51.100.7", {
      source: { scope: "Ip", value: "198.51.100.7", ip: "198.51.100.7", range: "198.51.100.0/24" },
    });
    expect(decide(withRange, p, { history: history(), now: T0 }).decisions[0]).toMatchObject({
      scope: "Range",
      value: "198.51.100.0/24",
      origin: "palisade/mine",
    });
    // Like CrowdSec, a Range decision needs a range; without one it is skipped with a warning.
    const none = decide(alert("198.51.100.7"), p, { history: history(), now: T0 });
    expect(none.decisions).toEqual([]);
    expect(none.warnings.map((w) => w.code)).toEqual(["profile.decision.no_range"]);
  });
});

describe("duration_expr and history", () => {
  // CrowdSec's documented example, commented out in its stock profiles.yaml.
  const crowdsecExample = profiles(
    `name: esc\nfilters: ["Alert.Remediation == true && Alert.GetScope() == 'Ip'"]\n${BAN}duration_expr: "Sprintf('%dh', (GetDecisionsCount(Alert.GetValue()) + 1) * 4)"\non_success: break\n`,
  );
  it("lengthens each decision with the count of earlier ones", () => {
    const h = history();
    const durations: number[] = [];
    for (let i = 0; i < 4; i++) {
      const now = T0 + i * 5 * H;
      const r = decide(alert("198.51.100.1", { stop_at: now }), crowdsecExample, {
        history: h,
        now,
      });
      h.record(r.decisions);
      durations.push((r.decisions[0]?.duration ?? 0) / H);
    }
    expect(durations).toEqual([4, 8, 12, 16]);
    // Another source starts from scratch.
    expect(
      decide(alert("198.51.100.2"), crowdsecExample, { history: h, now: T0 }).decisions[0]
        ?.duration,
    ).toBe(4 * H);
  });
  it("counts only decisions inside GetDecisionsSinceCount's window", () => {
    const p = profiles(
      `name: since\nfilters: ["true"]\n${BAN}duration_expr: "Sprintf('%dh', (GetDecisionsSinceCount(Alert.GetValue(), '24h') + 1) * 4)"\n`,
    );
    const h = history();
    const old: Decision = {
      type: "ban",
      scope: "Ip",
      value: "198.51.100.1",
      duration: H,
      origin: "palisade",
      scenario: "s",
      start: T0 - 30 * H,
    };
    const recent: Decision = { ...old, start: T0 - 2 * H };
    h.record([old, recent]);
    expect(decide(alert("198.51.100.1"), p, { history: h, now: T0 }).decisions[0]?.duration).toBe(
      8 * H,
    );
  });
  it("falls back to the decision's duration when duration_expr gives no duration", () => {
    const p = profiles(
      `name: bad\nfilters: ["true"]\n${BAN}duration_expr: "Sprintf('%d hours', 3)"\n`,
    );
    const r = decide(alert("198.51.100.1"), p, { history: history(), now: T0 });
    expect(r.decisions[0]?.duration).toBe(4 * H);
    expect(r.warnings[0]).toMatchObject({
      code: "profile.duration_expr.runtime",
      path: "p.yaml#0:duration_expr",
    });
    expect(r.warnings[0]?.message).toMatch(
      /"3 hours".*using the decisions' own duration \(4h0m0s\)/,
    );
  });
});

describe("IPv6 sources", () => {
  const p = profiles(
    `name: v6\nfilters: ["true"]\n${BAN}duration_expr: "Sprintf('%dh', (GetDecisionsCount(Alert.GetValue()) + 1) * 4)"\n`,
  );
  it("decides on the source's /64 by default", () => {
    const r = decide(alert("2001:db8:aa:bb:1:2:3:4"), p, { history: history(), now: T0 });
    expect(r.decisions[0]).toMatchObject({ scope: "Range", value: "2001:db8:aa:bb::/64" });
  });
  it("keeps IPv4 and IPv4-mapped sources as single addresses", () => {
    expect(
      decide(alert("198.51.100.1"), p, { history: history(), now: T0 }).decisions[0],
    ).toMatchObject({ scope: "Ip", value: "198.51.100.1" });
    expect(
      decide(alert("::ffff:198.51.100.1"), p, { history: history(), now: T0 }).decisions[0],
    ).toMatchObject({ scope: "Ip", value: "198.51.100.1" });
  });
  it("follows ipv6_prefix, and 128 keeps the address", () => {
    const wide = profiles(`name: w\nfilters: ["true"]\n${BAN}ipv6_prefix: 48\n`);
    expect(
      decide(alert("2001:db8:aa:bb::1"), wide, { history: history(), now: T0 }).decisions[0]?.value,
    ).toBe("2001:db8:aa::/48");
    const single = profiles(`name: s\nfilters: ["true"]\n${BAN}ipv6_prefix: 128\n`);
    expect(
      decide(alert("2001:db8:aa:bb::1"), single, { history: history(), now: T0 }).decisions[0],
    ).toMatchObject({ scope: "Ip", value: "2001:db8:aa:bb::1" });
  });
  it("escalates across the /64: another address of the prefix is a repeat offence", () => {
    const h = history();
    const first = decide(alert("2001:db8:aa:bb::1"), p, { history: h, now: T0 });
    h.record(first.decisions);
    const second = decide(alert("2001:db8:aa:bb::99"), p, { history: h, now: T0 + H });
    expect(second.decisions[0]).toMatchObject({ value: "2001:db8:aa:bb::/64", duration: 8 * H });
  });
  it("decides on the address alone when its /64 holds an allowlisted address", () => {
    const allowlist = ok(
      loadAllowlist([
        {
          path: "a.yaml",
          text: "allowlist:\n  - ip: 2001:db8:aa:bb::53\n    reason: our resolver\n",
        },
      ]),
    );
    const r = decide(alert("2001:db8:aa:bb::1"), p, { history: history(), allowlist, now: T0 });
    expect(r.decisions[0]).toMatchObject({ scope: "Ip", value: "2001:db8:aa:bb::1" });
    expect(r.warnings[0]?.message).toMatch(
      /2001:db8:aa:bb::\/64 contains allowlisted 2001:db8:aa:bb::53\/128 \(our resolver\)/,
    );
  });
});

describe("allowlisted sources", () => {
  const p = profiles(`name: all\nfilters: ["true"]\n${BAN}`);
  const allowlist = ok(
    loadAllowlist([
      { path: "a.yaml", text: "allowlist:\n  - cidr: 203.0.113.0/24\n    reason: office\n" },
    ]),
  );
  it("never get a decision, and say which entry allowed them", () => {
    const r = decide(alert("203.0.113.9"), p, { history: history(), allowlist, now: T0 });
    expect(r).toMatchObject({
      decisions: [],
      allowlisted: true,
      allowlistedBy: { reason: "office", match: "203.0.113.0/24" },
    });
    expect(r.profile).toBeUndefined();
  });
  it("others still do", () => {
    const r = decide(alert("198.51.100.9"), p, { history: history(), allowlist, now: T0 });
    expect(r.allowlisted).toBe(false);
    expect(r.decisions).toHaveLength(1);
  });
});

describe("MemoryDecisionHistory", () => {
  it("counts by exact value, and only decisions after `since`", () => {
    const h = history();
    const d = (value: string, start: number): Decision => ({
      type: "ban",
      scope: "Ip",
      value,
      duration: H,
      origin: "palisade",
      scenario: "s",
      start,
    });
    h.record([d("1.1.1.1", 100), d("1.1.1.1", 200), d("2.2.2.2", 300)]);
    const undated: Decision = {
      type: "ban",
      scope: "Ip",
      value: "3.3.3.3",
      duration: H,
      origin: "palisade",
      scenario: "s",
    };
    h.record([undated], 500);
    expect(h.count("1.1.1.1")).toBe(2);
    expect(h.count("1.1.1.1", 100)).toBe(1);
    expect(h.count("1.1.1.1", 99)).toBe(2);
    expect(h.count("3.3.3.3", 499)).toBe(1);
    expect(h.count("9.9.9.9")).toBe(0);
  });
});

function ok<T>(r: { ok: true; value: T } | { ok: false; errors: { message: string }[] }): T {
  if (!r.ok) throw new Error(r.errors.map((e) => e.message).join("\n"));
  return r.value;
}

describe("alertPerSource", () => {
  it("splits a multi-source alert into one alert per source, as CrowdSec does", () => {
    const a = alert("198.51.100.1");
    expect(alertPerSource(a)).toEqual([a]);
    const s1 = { scope: "Ip", value: "198.51.100.1", ip: "198.51.100.1" };
    const s2 = { scope: "Ip", value: "198.51.100.2", ip: "198.51.100.2" };
    const split = alertPerSource({ ...a, sources: [s1, s2] });
    expect(split.map((x) => [x.source.value, x.sources?.length, x.scenario])).toEqual([
      ["198.51.100.1", 1, a.scenario],
      ["198.51.100.2", 1, a.scenario],
    ]);
  });
});
