import { describe, expect, it } from "vitest";
import { errorBodySchema } from "../../src/contract/error";
import { ingestResponseSchema } from "../../src/contract/ingest";
import { alertsOf, changeContent, changed } from "./content-support";
import { batch, log4shellLine, postIngest } from "./ingest-support";

const now = Date.now();

async function ingest(lines: string[], type = "nginx") {
  const res = await postIngest(batch(lines, type));
  const text = await res.text();
  expect(res.status, text).toBe(200);
  return ingestResponseSchema.parse(JSON.parse(text));
}

/** A login service's own log format, read by a parser installed at runtime. */
const ACME_PARSER = `type: acmeauth
pattern: '^(?P<ts>\\S+) login failed for (?P<user>\\S+) from (?P<ip>\\S+)$'
timestamp: {group: ts, format: rfc3339}
statics:
  - {target: meta.source_ip, group: ip}
  - {target: meta.log_type, value: acme_failed-auth}
  - {target: meta.target_user, group: user}
`;

function failedLogin(user: string, ip: string, ms: number): string {
  return `${new Date(ms).toISOString()} login failed for ${user} from ${ip}`;
}

/** Distributed brute force against one account: grouped by the user, not the address. */
const USER_BF = `type: leaky
name: acme/user-bf
description: "failed logins for one account, from any address"
filter: evt.Meta.log_type == 'acme_failed-auth'
groupby: evt.Meta.target_user
capacity: 3
leakspeed: 1m
blackhole: 1m
labels:
  service: acme
  remediation: true
`;

/** The same per address: one try per address never fills it. */
const IP_BF = USER_BF.replace("acme/user-bf", "acme/ip-bf").replace(
  "groupby: evt.Meta.target_user",
  "groupby: evt.Meta.source_ip",
);

describe("simulation", () => {
  it("a scenario in simulation raises alerts marked simulated and makes no decisions", async () => {
    const name = "palisade/cve-2021-44228-log4shell";
    await changed({ simulate: { on: true, scenarios: [name] } });
    const sim = await ingest([log4shellLine("203.0.113.70", now)]);
    expect(sim).toMatchObject({ alerts: 1, decisions: 0 });
    const [alert] = (await alertsOf(name)).filter((a) => a.value === "203.0.113.70");
    expect(alert).toMatchObject({ simulated: true, decisions: 0 });

    await changed({ simulate: { on: false, scenarios: [name] } });
    const live = await ingest([log4shellLine("203.0.113.71", now)]);
    expect(live.alerts).toBe(1);
    expect(live.decisions).toBeGreaterThan(0);
    const [real] = (await alertsOf(name)).filter((a) => a.value === "203.0.113.71");
    expect(real?.simulated).toBe(false);
  });

  it("the whole deployment in simulation, with one scenario taken out of it", async () => {
    await changed({ simulate: { on: true } });
    const all = await ingest([log4shellLine("203.0.113.72", now)]);
    expect(all).toMatchObject({ alerts: 1, decisions: 0 });
    await changed({ simulate: { on: false, scenarios: ["palisade/cve-2021-44228-log4shell"] } });
    const excepted = await ingest([log4shellLine("203.0.113.73", now)]);
    expect(excepted.decisions).toBeGreaterThan(0);
    await changed({ simulate: { on: false } });
  });
});

describe("custom parser types through ingest", () => {
  it("ingest refuses a type until a parser for it is installed, then parses and detects it", async () => {
    const lines = [1, 2, 3, 4, 5].map((i) => failedLogin("alice", "198.51.100.40", now + i * 1000));
    const refused = await postIngest(batch(lines, "acmeauth"));
    expect(refused.status).toBe(422);
    const why = errorBodySchema.parse(await refused.json());
    expect(why.error).toMatchObject({ code: "unknown_source_type", path: "source.type" });
    expect(why.error.message).toContain("palisade parsers add");

    await changed({
      parsers: [{ name: "acme-parser.yaml", text: ACME_PARSER }],
      scenarios: [{ name: "ip-bf.yaml", text: IP_BF }],
    });
    const out = await ingest(lines, "acmeauth");
    expect(out).toMatchObject({ accepted: 5, parsed: 5, unparsed: 0, alerts: 1 });
    expect((await alertsOf("acme/ip-bf")).map((a) => a.value)).toEqual(["198.51.100.40"]);

    await changed({ parsers_remove: ["acmeauth"], remove: ["acme/ip-bf"] });
    expect((await postIngest(batch(lines, "acmeauth"))).status).toBe(422);
  });

  it("a parser file that does not compile is refused with its diagnostics", async () => {
    const bad = await changeContent({
      parsers: [{ name: "p.yaml", text: "type: x\npattern: '(?P<ip'\n" }],
    });
    expect(bad.status).toBe(422);
    const body = errorBodySchema.parse(await bad.json());
    expect(body.diagnostics?.[0]?.path).toMatch(/^p\.yaml/);
  });
});

describe("scenarios grouped by something other than the source IP", () => {
  it("sees one account attacked from many addresses; per-address buckets do not", async () => {
    await changed({
      parsers: [{ name: "acme-parser.yaml", text: ACME_PARSER }],
      scenarios: [
        { name: "user-bf.yaml", text: USER_BF },
        { name: "ip-bf.yaml", text: IP_BF },
      ],
    });
    // Five addresses, one try each, on bob's account, across two batches.
    const ips = ["192.0.2.201", "192.0.2.202", "198.51.100.203", "198.51.100.204", "203.0.113.205"];
    const lines = ips.map((ip, i) => failedLogin("bob", ip, now + i * 1000));
    await ingest(lines.slice(0, 2), "acmeauth");
    const out = await ingest(lines.slice(2), "acmeauth");
    expect(out.alerts).toBeGreaterThan(0);
    const alerts = await alertsOf("acme/user-bf");
    // One alert per source of the overflow (CrowdSec's one alert per source), each decided.
    expect(alerts.map((a) => a.value).sort()).toEqual([...ips.slice(0, 4)].sort());
    expect(alerts.every((a) => a.decisions > 0 && a.events_count === 4)).toBe(true);
    const perIp = (await alertsOf("acme/ip-bf")).filter((a) => ips.includes(a.value));
    expect(perIp).toEqual([]);
    // Another account is another bucket: one failure for carol stays quiet.
    const carol = await ingest([failedLogin("carol", "192.0.2.201", now + 9000)], "acmeauth");
    expect(carol.alerts).toBe(0);
  });
});
