import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { scenarioListSchema } from "../../src/contract/admin-stats";
import { importReportSchema, ledgerExportSchema } from "../../src/contract/backup";
import { contentHistorySchema } from "../../src/contract/content";
import { errorBodySchema } from "../../src/contract/error";
import { ingestResponseSchema } from "../../src/contract/ingest";
import { admin, adminOk } from "./api-support";
import { alertsOf, changeContent, changed, pathTrigger } from "./content-support";
import { accessLine, batch, ledger, log4shellLine, postIngest, tracker } from "./ingest-support";

const now = Date.now();

async function ingest(lines: string[], type = "nginx") {
  const res = await postIngest(batch(lines, type));
  const text = await res.text();
  expect(res.status, text).toBe(200);
  return ingestResponseSchema.parse(JSON.parse(text));
}

async function scenarioNames(): Promise<string[]> {
  const list = scenarioListSchema.parse(await adminOk("GET", "/scenarios"));
  return list.scenarios.filter((s) => s.enabled).map((s) => s.name);
}

describe("scenarios installed at runtime", () => {
  it("an added scenario changes what ingest detects, without a redeploy; removing it stops it", async () => {
    const name = "acme/secret-page";
    const before = await ingest([accessLine("203.0.113.10", now, "/acme-secret")]);
    expect(before.alerts).toBe(0);
    expect(await alertsOf(name)).toEqual([]);

    const v = await changed({
      scenarios: [{ name: "my-rule.yaml", text: pathTrigger(name, "/acme-secret") }],
      action: "scenarios add my-rule.yaml",
    });
    expect(v.unchanged).toBe(false);
    expect(await scenarioNames()).toContain(name);

    const after = await ingest([accessLine("203.0.113.11", now + 1000, "/acme-secret")]);
    expect(after.alerts).toBe(1);
    expect(after.decisions).toBeGreaterThan(0);
    const alerts = await alertsOf(name);
    expect(alerts.map((a) => a.value)).toEqual(["203.0.113.11"]);
    expect(alerts[0]?.simulated).toBe(false);

    await changed({ remove: [name], action: "scenarios remove" });
    expect(await scenarioNames()).not.toContain(name);
    const gone = await ingest([accessLine("203.0.113.12", now + 2000, "/acme-secret")]);
    expect(gone.alerts).toBe(0);
    expect((await alertsOf(name)).length).toBe(1);
  });

  it("a bad file is refused with lint's diagnostics and changes nothing", async () => {
    const history = contentHistorySchema.parse(await adminOk("GET", "/content/versions"));
    const bad = `type: leaky
name: acme/broken
filter: evt.Meta.http_path ==
groupby: evt.Meta.source_ip
capacity: 3
leakspeed: 10x
`;
    const good = pathTrigger("acme/fine", "/acme-fine");
    const res = await changeContent({
      scenarios: [
        { name: "fine.yaml", text: good },
        { name: "broken.yaml", text: bad },
      ],
    });
    expect(res.status).toBe(422);
    const body = errorBodySchema.parse(await res.json());
    expect(body.error.code).toBe("invalid_content");
    const paths = (body.diagnostics ?? []).map((d) => d.path);
    expect(paths).toContain("broken.yaml#0:leakspeed");
    expect(paths.some((p) => p.startsWith("broken.yaml#0:filter"))).toBe(true);
    expect(body.diagnostics?.every((d) => d.path.startsWith("broken.yaml"))).toBe(true);
    // Nothing changed: same version, and the good file of the request is not installed.
    const after = contentHistorySchema.parse(await adminOk("GET", "/content/versions"));
    expect(after.current).toBe(history.current);
    expect(await scenarioNames()).not.toContain("acme/fine");
  });

  it("disable and enable a built-in scenario by name; an unknown name is refused with a suggestion", async () => {
    const ip = "203.0.113.20";
    await changed({ disable: ["palisade/cve-2017-9841-phpunit"] });
    const off = await ingest([accessLine(ip, now, "/vendor/phpunit/src/Util/PHP/eval-stdin.php")]);
    expect(off.alerts).toBe(0);
    await changed({ enable: ["palisade/cve-2017-9841-phpunit"] });
    const on = await ingest([
      accessLine("203.0.113.21", now, "/vendor/phpunit/src/Util/PHP/eval-stdin.php"),
    ]);
    expect(on.alerts).toBe(1);
    const res = await changeContent({ disable: ["palisade/cve-2017-9841-phpunt"] });
    expect(res.status).toBe(422);
    const body = errorBodySchema.parse(await res.json());
    expect(body.error.message).toContain("did you mean palisade/cve-2017-9841-phpunit?");
  });

  it("rollback makes an earlier version current again, as a new version", async () => {
    const name = "acme/rollback-me";
    const before = await changed({
      scenarios: [{ name: "r.yaml", text: pathTrigger(name, "/acme-rb") }],
    });
    await changed({ remove: [name] });
    expect(await scenarioNames()).not.toContain(name);
    const rolled = await adminOk<{ version: number }>("POST", "/content/rollback", {
      version: before.version,
    });
    expect(rolled.version).toBeGreaterThan(before.version + 1);
    expect(await scenarioNames()).toContain(name);
    const out = await ingest([accessLine("203.0.113.30", now, "/acme-rb")]);
    expect(out.alerts).toBe(1);
    const history = contentHistorySchema.parse(await adminOk("GET", "/content/versions"));
    expect(history.current).toBe(rolled.version);
    expect(history.versions[0]?.action).toBe(`rollback to version ${before.version}`);
    const missing = await admin("POST", "/content/rollback", { version: 99_999 });
    expect(missing.status).toBe(404);
  });
});

describe("bucket state across content versions", () => {
  const leaky = (description: string) => `type: leaky
name: acme/slow-fill
description: "${description}"
filter: evt.Meta.log_type == 'http_access-log' && evt.Meta.http_path == '/acme-fill'
groupby: evt.Meta.source_ip
capacity: 3
leakspeed: 1h
labels:
  remediation: true
`;
  const fill = (ip: string, from: number, n: number) =>
    Array.from({ length: n }, (_, i) => accessLine(ip, from + i * 1000, "/acme-fill"));

  it("an unchanged scenario keeps its buckets through a new version; a changed one starts fresh", async () => {
    await changed({ scenarios: [{ name: "fill.yaml", text: leaky("one") }] });
    const kept = "203.0.113.40";
    expect((await ingest(fill(kept, now, 2))).alerts).toBe(0);
    // Another change: this scenario's text is the same, so its bucket (2 held) survives.
    await changed({ scenarios: [{ name: "other.yaml", text: pathTrigger("acme/other", "/o") }] });
    expect((await ingest(fill(kept, now + 5000, 2))).alerts).toBe(1);

    const fresh = "203.0.113.41";
    expect((await ingest(fill(fresh, now, 2))).alerts).toBe(0);
    // The scenario itself changes: its old bucket is dropped, 2 more events do not overflow.
    await changed({ scenarios: [{ name: "fill.yaml", text: leaky("two") }] });
    expect((await ingest(fill(fresh, now + 5000, 2))).alerts).toBe(0);
    expect((await ingest(fill(fresh, now + 9000, 2))).alerts).toBe(1);
  });
});

describe("data files and profiles", () => {
  const WORDS = `type: trigger
name: acme/forbidden-word
description: "a path from the operator's list"
filter: evt.Meta.log_type == 'http_access-log' && evt.Meta.http_path in File('acme-paths.txt')
groupby: evt.Meta.source_ip
blackhole: 1m
data:
  - dest_file: acme-paths.txt
    type: string
labels:
  remediation: true
`;

  it("a scenario's data file comes with it; without it the scenario is refused naming the file", async () => {
    const missing = await changeContent({ scenarios: [{ name: "words.yaml", text: WORDS }] });
    expect(missing.status).toBe(422);
    const why = errorBodySchema.parse(await missing.json());
    expect(why.diagnostics?.[0]?.code).toBe("scenario.data.missing");
    expect(why.diagnostics?.[0]?.message).toContain("acme-paths.txt");

    await changed({
      scenarios: [{ name: "words.yaml", text: WORDS }],
      data: [{ name: "lists/acme-paths.txt", text: "/acme-one\n/acme-two\n" }],
    });
    expect((await ingest([accessLine("203.0.113.50", now, "/acme-two")])).alerts).toBe(1);
    expect((await ingest([accessLine("203.0.113.51", now, "/acme-three")])).alerts).toBe(0);
  });

  it("profiles set replaces the built-in profiles (checked first); reset brings them back", async () => {
    const captchaAll = `name: acme/captcha-everything
filters:
  - Alert.Remediation == true && Alert.GetScope() == "Ip"
decisions:
  - type: captcha
    duration: 10m
on_success: break
`;
    const bad = await changeContent({
      profiles: { name: "p.yaml", text: 'name: x\nfilters: ["(("]\n' },
    });
    expect(bad.status).toBe(422);
    await changed({ profiles: { name: "profiles.yaml", text: captchaAll } });
    const shown = await adminOk<{ origin: string; text: string }>("GET", "/profiles");
    expect(shown).toMatchObject({ origin: "installed", text: captchaAll });
    await changed({
      scenarios: [{ name: "p.yaml", text: pathTrigger("acme/profiled", "/acme-p") }],
    });
    await ingest([accessLine("203.0.113.52", now, "/acme-p")]);
    const captcha = await runInDurableObject(ledger(), (_, state) =>
      state.storage.sql
        .exec<{ type: string }>("SELECT type FROM decisions WHERE value = '203.0.113.52'")
        .toArray(),
    );
    expect(captcha.map((d) => d.type)).toEqual(["captcha"]);
    await changed({ profiles_reset: true });
    expect((await adminOk<{ origin: string }>("GET", "/profiles")).origin).toBe("builtin");
  });
});

describe("export and import", () => {
  it("carry the installed content to a Ledger that has none, and never replace existing content", async () => {
    await changed({
      scenarios: [{ name: "x.yaml", text: pathTrigger("acme/exported", "/acme-x") }],
    });
    const doc = ledgerExportSchema.parse(await adminOk("GET", "/export"));
    expect(doc.content?.scenarios.map((s) => s.name)).toContain("acme/exported");
    const fresh = env.LEDGER.get(env.LEDGER.idFromName("content-restore"));
    const report = importReportSchema.parse(await fresh.importLedger(doc));
    expect(report.content).toEqual({ imported: 1, skipped: 0 });
    const restored = await fresh.contentAt();
    expect(restored?.version).toBe(1);
    expect(restored?.bundle).toEqual(doc.content);
    const again = importReportSchema.parse(await fresh.importLedger(doc));
    expect(again.content).toEqual({ imported: 0, skipped: 1 });
    expect(await fresh.contentVersion()).toBe(1);
  });
});

describe("a tracker that only ticks", () => {
  const counter = (name: string, path: string) => `type: counter
name: ${name}
description: "requests for ${path}, counted over two seconds"
filter: evt.Meta.log_type == 'http_access-log' && evt.Meta.http_path == '${path}'
groupby: evt.Meta.source_ip
capacity: -1
duration: 2s
labels:
  remediation: true
`;

  it("stops running a scenario removed since its last pour", async () => {
    await changed({
      scenarios: [
        { name: "kept.yaml", text: counter("acme/count-kept", "/acme-kept") },
        { name: "gone.yaml", text: counter("acme/count-gone", "/acme-gone") },
      ],
    });
    const [a, b] = ["203.0.113.90", "203.0.113.91"];
    const t0 = Date.now();
    await ingest([accessLine(a, t0, "/acme-kept")]);
    await ingest([accessLine(b, t0, "/acme-gone")]);
    // b's scenario goes; b's tracker does not pour again, a pour elsewhere carries the version.
    await changed({ remove: ["acme/count-gone"] });
    await ingest([log4shellLine("203.0.113.92", t0)]);
    await new Promise((r) => setTimeout(r, 2_500));
    await runDurableObjectAlarm(tracker(a));
    await runDurableObjectAlarm(tracker(b));
    // The kept counter ends in a timed overflow; the removed one's bucket is dropped.
    expect((await alertsOf("acme/count-kept")).map((x) => x.value)).toEqual([a]);
    expect(await alertsOf("acme/count-gone")).toEqual([]);
    const left = await runInDurableObject(tracker(b), (_, state) =>
      state.storage.sql
        .exec("SELECT key FROM buckets WHERE scenario = 'acme/count-gone'")
        .toArray(),
    );
    expect(left).toEqual([]);
  });
});
