import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { Alert } from "../../src/core/alert";
import { loadAllowlist } from "../../src/core/allowlist";
import { MemoryDecisionHistory } from "../../src/core/decision";
import type { Result } from "../../src/core/diagnostic";
import type { Event } from "../../src/core/event";
import { decide, loadProfiles } from "../../src/core/profile/index";

// The built-in src/hub/profiles.yaml and allowlist.yaml, as `palisade replay` uses them.
const hub = (name: string) => ({
  path: `hub/${name}`,
  text: readFileSync(new URL(`../../src/hub/${name}`, import.meta.url), "utf8"),
});
const H = 3_600_000;
const T0 = Date.UTC(2024, 4, 1);

function ok<T>(r: Result<T>): T {
  if (!r.ok) throw new Error(r.errors.map((e) => `${e.path}: ${e.message}`).join("\n"));
  return r.value;
}

function alert(
  scenario: string,
  ip: string,
  service: string,
  overrides: Partial<Alert> = {},
): Alert {
  const event: Event = {
    Line: { Raw: "", Src: "t.log", Labels: {}, Module: "file" },
    Parsed: {},
    Meta: { source_ip: ip, service },
    Enriched: {},
    Unmarshaled: {},
    Time: T0,
    Whitelisted: false,
  };
  return {
    scenario,
    message: "",
    source: { scope: "Ip", value: ip, ip },
    events_count: 6,
    start_at: T0,
    stop_at: T0,
    capacity: 5,
    leakspeed: 10_000,
    labels: {},
    remediation: true,
    events: [event],
    ...overrides,
  };
}

describe("built-in profiles", () => {
  const profiles = ok(loadProfiles([hub("profiles.yaml")]));
  const allowlist = ok(loadAllowlist([], { builtin: hub("allowlist.yaml") }));

  /** Replays alerts of one source an hour apart, feeding the history as replay does. */
  function offences(alerts: Alert[]): string[] {
    const history = new MemoryDecisionHistory();
    return alerts.map((a, i) => {
      const now = T0 + i * H;
      const r = decide({ ...a, stop_at: now }, profiles, { history, allowlist, now });
      history.record(r.decisions);
      return r.decisions
        .map((d) => `${d.type} ${d.duration / H}h ${d.scope} ${d.value}`)
        .join(", ");
    });
  }

  it("challenges a first web offence, then bans 4h, 8h, 16h … capped at 30 days", () => {
    const probing = alert("crowdsecurity/http-probing", "198.51.100.1", "http");
    expect(offences(Array.from({ length: 11 }, () => probing))).toEqual([
      "captcha 4h Ip 198.51.100.1",
      "ban 4h Ip 198.51.100.1",
      "ban 8h Ip 198.51.100.1",
      "ban 16h Ip 198.51.100.1",
      "ban 32h Ip 198.51.100.1",
      "ban 64h Ip 198.51.100.1",
      "ban 128h Ip 198.51.100.1",
      "ban 256h Ip 198.51.100.1",
      "ban 512h Ip 198.51.100.1",
      "ban 720h Ip 198.51.100.1",
      "ban 720h Ip 198.51.100.1",
    ]);
  });
  it("counts any earlier decision as an offence, whatever the scenario", () => {
    const crawl = alert("crowdsecurity/http-crawl-non_statics", "198.51.100.1", "http");
    const bad = alert("crowdsecurity/http-bad-user-agent", "198.51.100.1", "http");
    expect(offences([crawl, bad])).toEqual([
      "captcha 4h Ip 198.51.100.1",
      "ban 4h Ip 198.51.100.1",
    ]);
  });
  it("recognises web scenarios by their events' service too", () => {
    const limit = alert("crowdsecurity/nginx-req-limit-exceeded", "198.51.100.1", "http");
    expect(offences([limit])).toEqual(["captcha 4h Ip 198.51.100.1"]);
  });
  it("bans ssh brute force and exploitation from the first offence, doubling after", () => {
    const ssh = alert("crowdsecurity/ssh-bf", "198.51.100.2", "ssh");
    expect(offences([ssh, ssh, ssh])).toEqual([
      "ban 4h Ip 198.51.100.2",
      "ban 8h Ip 198.51.100.2",
      "ban 16h Ip 198.51.100.2",
    ]);
    for (const cve of [
      "crowdsecurity/CVE-2022-26134",
      "crowdsecurity/apache_log4j2_cve-2021-44228",
      "crowdsecurity/netgear_rce",
      "crowdsecurity/http-backdoors-attempts",
    ]) {
      expect(offences([alert(cve, "198.51.100.3", "http")]), cve).toEqual([
        "ban 4h Ip 198.51.100.3",
      ]);
    }
  });
  it("bans other scenarios with a remediation, and ignores those without", () => {
    expect(offences([alert("crowdsecurity/postfix-spam", "198.51.100.4", "postfix")])).toEqual([
      "ban 4h Ip 198.51.100.4",
    ]);
    expect(
      offences([
        alert("crowdsecurity/http-probing", "198.51.100.4", "http", { remediation: false }),
      ]),
    ).toEqual([""]);
  });
  it("decides on an IPv6 source's /64 and escalates across it", () => {
    const a = alert("crowdsecurity/http-probing", "2001:db8:5:6::1", "http");
    const b = alert("crowdsecurity/http-probing", "2001:db8:5:6:ffff::2", "http");
    expect(offences([a, b])).toEqual([
      "captcha 4h Range 2001:db8:5:6::/64",
      "ban 4h Range 2001:db8:5:6::/64",
    ]);
  });
  it("decides on the IPV6_PREFIX network the Worker passes, unless a profile sets its own", () => {
    const wide = ok(loadProfiles([hub("profiles.yaml")], { ipv6Prefix: 48 }));
    const a = alert("crowdsecurity/http-probing", "2001:db8:5:6::1", "http");
    const r = decide(a, wide, { history: new MemoryDecisionHistory(), now: T0 });
    expect(r.decisions.map((d) => `${d.scope} ${d.value}`)).toEqual(["Range 2001:db8:5::/48"]);
    const own = ok(
      loadProfiles(
        [
          {
            path: "p.yaml",
            text: "name: p\nfilters: ['true']\ndecisions: [{type: ban}]\nipv6_prefix: 128\n",
          },
        ],
        { ipv6Prefix: 48 },
      ),
    );
    const mine = decide(a, own, { history: new MemoryDecisionHistory(), now: T0 });
    expect(mine.decisions.map((d) => `${d.scope} ${d.value}`)).toEqual(["Ip 2001:db8:5:6::1"]);
  });
  it("never decides on private or loopback sources", () => {
    const history = new MemoryDecisionHistory();
    const r = decide(alert("crowdsecurity/ssh-bf", "192.168.1.20", "ssh"), profiles, {
      history,
      allowlist,
      now: T0,
    });
    expect(r).toMatchObject({ allowlisted: true, decisions: [] });
  });
});
