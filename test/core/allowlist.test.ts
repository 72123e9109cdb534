import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { Alert } from "../../src/core/alert";
import { type Allowlist, loadAllowlist } from "../../src/core/allowlist";
import { dataStoreFrom } from "../../src/core/data";
import type { Result } from "../../src/core/diagnostic";
import type { Event } from "../../src/core/event";

const builtin = {
  path: "hub/allowlist.yaml",
  text: readFileSync(new URL("../../src/hub/allowlist.yaml", import.meta.url), "utf8"),
};

function ok<T>(r: Result<T>): T {
  if (!r.ok) throw new Error(r.errors.map((e) => `${e.path}: ${e.message}`).join("\n"));
  return r.value;
}

function event(meta: Record<string, string>, time = 0): Event {
  return {
    Line: { Raw: "", Src: "test.log", Labels: {}, Module: "file" },
    Parsed: {},
    Meta: meta,
    Enriched: {},
    Unmarshaled: {},
    Time: time,
    Whitelisted: false,
  };
}

function alert(ip: string, overrides: Partial<Alert> = {}): Alert {
  return {
    scenario: "crowdsecurity/http-probing",
    message: "",
    source: { scope: "Ip", value: ip, ip },
    events_count: 6,
    start_at: 0,
    stop_at: 1000,
    capacity: 5,
    leakspeed: 10_000,
    labels: {},
    remediation: true,
    events: [event({ source_ip: ip, service: "http" })],
    ...overrides,
  };
}

describe("built-in allowlist", () => {
  const list = ok(loadAllowlist([], { builtin }));
  it("allows loopback, private, link-local and CGNAT addresses", () => {
    for (const ip of [
      "127.0.0.1",
      "127.255.0.9",
      "::1",
      "10.20.30.40",
      "172.16.0.1",
      "172.31.255.255",
      "192.168.1.1",
      "fd12:3456::1",
      "fe80::1",
      "169.254.169.254",
      "100.64.0.1",
      "100.127.255.255",
      "::ffff:192.168.0.5",
    ]) {
      expect(list.lookupIp(ip), ip).toBeDefined();
    }
    expect(list.lookupIp("10.1.2.3")?.reason).toMatch(/RFC 1918/);
  });
  it("does not allow public addresses next to those ranges", () => {
    for (const ip of [
      "8.8.8.8",
      "172.32.0.1",
      "172.15.255.255",
      "100.128.0.1",
      "11.0.0.1",
      "2001:db8::1",
      "fec0::1",
    ]) {
      expect(list.lookupIp(ip), ip).toBeUndefined();
    }
  });
});

describe("operator allowlists", () => {
  it("adds entries to the defaults, with their reasons", () => {
    const file = {
      path: "mine.yaml",
      text: "reason: our offices\nallowlist:\n  - 203.0.113.7\n  - cidr: 198.51.100.0/24\n    reason: monitoring\n  - ip: 2001:db8::5\n  - cidr: 10.0.0.0/8\n    reason: our VPC\n",
    };
    const list = ok(loadAllowlist([file], { builtin }));
    expect(list.lookupIp("203.0.113.7")?.reason).toBe("our offices");
    expect(list.lookupIp("198.51.100.99")).toMatchObject({
      reason: "monitoring",
      match: "198.51.100.0/24",
      path: "mine.yaml#0",
    });
    expect(list.lookupIp("2001:db8::5")?.match).toBe("2001:db8::5/128");
    // Listed in both: the operator's reason wins; the other defaults stay.
    expect(list.lookupIp("10.0.0.1")?.reason).toBe("our VPC");
    expect(list.lookupIp("192.168.0.1")?.reason).toMatch(/RFC 1918/);
  });
  it("drops the defaults when an operator file says defaults: false", () => {
    const file = { path: "mine.yaml", text: "defaults: false\nallowlist:\n  - 203.0.113.0/24\n" };
    const list = ok(loadAllowlist([file], { builtin }));
    expect(list.lookupIp("10.0.0.1")).toBeUndefined();
    expect(list.lookupIp("203.0.113.1")).toBeDefined();
  });
  it("reports bad entries with file, document, field and line", () => {
    const file = {
      path: "bad.yaml",
      text: "allowlist:\n  - 10.0.0.0/8\n---\nallowlist:\n  - 10.0.0.300/8\n  - ip: 10.0.0.0/8\n  - ip: 1.1.1.1\n    cidr: 1.1.1.0/24\n  - cdir: 1.2.3.0/24\n",
    };
    const r = loadAllowlist([file]);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const byPath = Object.fromEntries(r.errors.map((e) => [e.path, e]));
    expect(byPath["bad.yaml#1:allowlist[0]"]?.message).toMatch(
      /"10\.0\.0\.300\/8" \(line 5\) is not an IP or CIDR/,
    );
    expect(byPath["bad.yaml#1:allowlist[1]"]?.message).toMatch(
      /not an IP address \(put networks under cidr\)/,
    );
    expect(byPath["bad.yaml#1:allowlist[2]"]?.message).toMatch(/exactly one of ip: or cidr:/);
    expect(byPath["bad.yaml#1:allowlist[3].cdir"]).toMatchObject({ code: "allowlist.key.unknown" });
    expect(byPath["bad.yaml#1:allowlist[3].cdir"]?.message).toMatch(
      /known keys here: ip, cidr, reason/,
    );
  });
  it("warns about host bits that widen a network", () => {
    const r = loadAllowlist([{ path: "w.yaml", text: "allowlist:\n  - 10.1.2.3/8\n" }]);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.warnings.map((w) => w.code)).toEqual(["allowlist.entry.host_bits"]);
    expect(r.value.lookupIp("10.200.0.1")?.match).toBe("10.0.0.0/8");
  });
  it("reports YAML syntax errors with their position", () => {
    const r = loadAllowlist([{ path: "s.yaml", text: "allowlist: [1.2.3.4\n" }]);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0]?.message).toMatch(/invalid YAML \(line \d+, column \d+\)/);
  });
});

describe("CrowdSec whitelist files", () => {
  const crowdsec = {
    path: "whitelists.yaml",
    text: [
      "name: crowdsecurity/whitelists",
      'description: "Whitelist events from private ipv4 addresses"',
      "whitelist:",
      '  reason: "private ipv4/ipv6 ip/ranges"',
      "  ip:",
      '    - "::1"',
      '    - "198.51.100.7"',
      "  cidr:",
      '    - "192.168.0.0/16"',
      '    - "2001:db8:77::/48"',
    ].join("\n"),
  };
  it("accepts ip and cidr lists with the file's reason", () => {
    const list = ok(loadAllowlist([crowdsec]));
    expect(list.lookupIp("198.51.100.7")?.reason).toBe("private ipv4/ipv6 ip/ranges");
    expect(list.lookupIp("192.168.44.1")).toBeDefined();
    expect(list.lookupIp("2001:db8:77:1::9")).toBeDefined();
    expect(list.lookupIp("2001:db8:78::9")).toBeUndefined();
    expect(list.size).toBe(4);
  });
  it("names unknown keys inside whitelist:", () => {
    const r = loadAllowlist([
      { path: "w.yaml", text: "whitelist:\n  reason: x\n  ips: [1.2.3.4]\n" },
    ]);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.errors[0]).toMatchObject({
        code: "allowlist.key.unknown",
        path: "w.yaml#0:whitelist.ips",
      });
      expect(r.errors[0]?.message).toMatch(/reason, ip, cidr, expression/);
    }
  });
  it("evaluates expressions against the alert as evt.Overflow.Alert (needs the expr interpreter)", () => {
    const file = {
      path: "cdn.yaml",
      text: [
        "name: crowdsecurity/cdn-whitelist",
        "whitelist:",
        "  reason: CDN provider",
        "  expression:",
        "    - \"any(File('cdn_ips.txt'), { IpInRange(evt.Overflow.Alert.Source.IP, #) })\"",
        "    - \"evt.Meta.target_user == 'healthcheck'\"",
      ].join("\n"),
    };
    const data = dataStoreFrom({ "cdn_ips.txt": "203.0.113.0/24\n2001:db8:cd::/48\n" });
    const list = ok(loadAllowlist([file], { data }));
    expect(list.matchAlert(alert("203.0.113.50"))?.reason).toBe("CDN provider");
    expect(list.matchAlert(alert("2001:db8:cd::1"))).toBeDefined();
    expect(list.matchAlert(alert("198.51.100.1"))).toBeUndefined();
    // A parser-stage expression must hold for every event of the alert.
    const ssh = (users: string[]) =>
      alert("198.51.100.1", {
        events: users.map((u) => event({ source_ip: "198.51.100.1", target_user: u })),
      });
    expect(list.matchAlert(ssh(["healthcheck", "healthcheck"]))).toBeDefined();
    expect(list.matchAlert(ssh(["healthcheck", "root"]))).toBeUndefined();
  });
  it("applies a whitelist only where its filter holds (needs the expr interpreter)", () => {
    const file = {
      path: "f.yaml",
      text: "filter: \"evt.Meta.service == 'ssh'\"\nwhitelist:\n  reason: bastion\n  ip: [198.51.100.9]\n",
    };
    const list = ok(loadAllowlist([file]));
    const sshAlert = alert("198.51.100.9", {
      events: [event({ source_ip: "198.51.100.9", service: "ssh" })],
    });
    expect(list.matchAlert(sshAlert)?.reason).toBe("bastion");
    expect(list.matchAlert(alert("198.51.100.9"))).toBeUndefined();
  });
});

describe("matching alerts", () => {
  const list: Allowlist = ok(
    loadAllowlist([
      { path: "a.yaml", text: "allowlist:\n  - 203.0.113.0/24\n  - 2001:db8:1:2::7\n" },
    ]),
  );
  it("matches the alert's source IP, IPv4-mapped or not", () => {
    expect(list.matchAlert(alert("203.0.113.9"))).toBeDefined();
    expect(list.matchAlert(alert("::ffff:203.0.113.9"))).toBeDefined();
    expect(list.matchAlert(alert("198.51.100.1"))).toBeUndefined();
  });
  it("matches a Range source that overlaps an allowed network", () => {
    const range = (r: string): Alert => alert("x", { source: { scope: "Range", value: r } });
    expect(list.matchAlert(range("203.0.0.0/16"))).toBeDefined();
    expect(list.matchAlert(range("198.51.0.0/16"))).toBeUndefined();
    expect(list.lookupRange("2001:db8:1:2::/64")?.match).toBe("2001:db8:1:2::7/128");
    expect(list.lookupRange("2001:db8:1:3::/64")).toBeUndefined();
  });
  it("an empty allowlist allows nothing", () => {
    const empty = ok(loadAllowlist([]));
    expect(empty.matchAlert(alert("10.0.0.1"))).toBeUndefined();
    expect(empty.size).toBe(0);
  });
  it("stays exact with ten thousand networks", () => {
    const lines = Array.from({ length: 10_000 }, (_, i) => `  - 10.${i >> 8}.${i & 255}.0/24`);
    const big = ok(
      loadAllowlist([{ path: "big.yaml", text: `allowlist:\n${lines.join("\n")}\n` }]),
    );
    expect(big.size).toBe(10_000);
    expect(big.lookupIp("10.39.15.200")?.match).toBe("10.39.15.0/24");
    expect(big.lookupIp("10.39.16.1")).toBeUndefined();
    expect(big.lookupIp("10.0.0.0")?.match).toBe("10.0.0.0/24");
  });
});
