import { describe, expect, it } from "vitest";
import { dataStoreFrom } from "../../../src/core/data";
import { lintScenarios, loadScenarios } from "../../../src/core/scenario/load";
import { fakeCompiler } from "../bucket/support";

const opts = { compile: fakeCompiler(), data: dataStoreFrom({ "words.txt": "a\n" }) };
const lint = (text: string, path = "ssh-bf.yaml") => lintScenarios([{ path, text }], opts);

const sshBf = `# ssh bruteforce
type: leaky
name: crowdsecurity/ssh-bf
description: "Detect ssh bruteforce"
filter: "evt.Meta.log_type == 'fail'"
leakspeed: "10s"
references:
  - http://wikipedia.com/ssh-bf-is-bad
capacity: 5
groupby: evt.Meta.source_ip
blackhole: 1m
reprocess: true
labels:
  service: ssh
  confidence: 3
  classification:
    - attack.T1110
  remediation: true
---
type: leaky
name: crowdsecurity/ssh-bf_user-enum
description: "Detect ssh user enum bruteforce"
filter: evt.Meta.log_type == 'fail'
groupby: evt.Meta.source_ip
distinct: evt.Meta.target_user
leakspeed: 10s
capacity: 5
cache_size: 3
blackhole: 1m
format: 2.0
debug: false
labels:
  remediation: true
`;

describe("loadScenarios", () => {
  it("compiles every document of a multi-document file", () => {
    const r = loadScenarios([{ path: "ssh-bf.yaml", text: sshBf }], opts);
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    expect(r.warnings).toEqual([]);
    const [bf, enumeration] = r.value;
    expect(bf).toMatchObject({
      name: "crowdsecurity/ssh-bf",
      file: "ssh-bf.yaml",
      index: 0,
      capacity: 5,
      leakspeed: 10_000,
      lifetime: 60_000,
      blackhole: 60_000,
      duration: 0,
      queueLimit: 5,
      remediation: true,
      reprocess: true,
      scope: { type: "Ip" },
    });
    expect(bf?.kind.name).toBe("leaky");
    expect(bf?.limit).toBeCloseTo(0.1, 12);
    expect(bf?.processors.map((p) => p.name)).toEqual(["blackhole"]);
    expect(enumeration?.index).toBe(1);
    expect(enumeration?.queueLimit).toBe(3);
    expect(enumeration?.processors.map((p) => p.name)).toEqual(["distinct", "blackhole"]);
  });

  it("orders processors as CrowdSec does", () => {
    const r = loadScenarios(
      [
        {
          path: "t.yaml",
          text: `type: trigger
name: t/x
description: x
filter: "evt.Meta.log_type == 'fail'"
distinct: evt.Meta.target_user
cancel_on: evt.Meta.log_type == 'ok'
overflow_filter: len(queue.Queue) >= 3
condition: len(queue.Queue) > 4
blackhole: 1m
`,
        },
      ],
      opts,
    );
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    expect(r.value[0]?.processors.map((p) => p.name)).toEqual([
      "trigger",
      "distinct",
      "cancel_on",
      "overflow_filter",
      "blackhole",
      "condition",
    ]);
  });

  it("fails with the errors when any document is wrong", () => {
    const r = loadScenarios(
      [{ path: "ssh-bf.yaml", text: sshBf.replace("capacity: 5", "capacity: -3") }],
      opts,
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((e) => e.path)).toEqual(["ssh-bf.yaml#0:capacity"]);
  });
});

describe("lintScenarios", () => {
  it("names the file, document, field and the fix", () => {
    const [d] = lint(sshBf.replace("capacity: 5", "capacity: -3"));
    expect(d).toMatchObject({
      path: "ssh-bf.yaml#0:capacity",
      code: "scenario.capacity.invalid",
      severity: "error",
    });
    expect(d?.message).toContain("-3 is not allowed for leaky buckets");
    expect(d?.message).toContain("positive number of events");
  });

  it("reports all problems of all documents and files at once", () => {
    const broken = sshBf
      .replace("capacity: 5\ngroupby", "capacity: 0\ngroupby")
      .replace("leakspeed: 10s\ncapacity: 5", "leakspeed: 10\ncapacity: 5")
      .replace("blackhole: 1m\nformat", "blackhole: soon\nformat");
    const ds = lintScenarios(
      [
        { path: "a.yaml", text: broken },
        {
          path: "b.yaml",
          text: "type: sliding\nname: b/x\ndescription: x\nfilter: evt.Meta.log_type == 'fail'\n",
        },
      ],
      opts,
    );
    expect(ds.map((d) => `${d.path} ${d.code}`)).toEqual([
      "a.yaml#0:capacity scenario.capacity.invalid",
      "a.yaml#1:leakspeed scenario.leakspeed.invalid",
      "a.yaml#1:blackhole scenario.blackhole.invalid",
      "b.yaml#0:type scenario.type.unknown",
    ]);
    expect(ds[1]?.message).toContain("10 has no unit");
    expect(ds[3]?.message).toContain("leaky, trigger, counter, conditional");
  });

  it("reports a document's schema errors and its other errors together (a bad field hides nothing)", () => {
    const ds = lint(
      [
        "type: leakyy",
        "name: me/bad",
        "filtre: evt.Meta.log_type == 'x'",
        "capacity: x",
        "leakspeed: 10q",
        "blackhole: soon",
        "groupby: evt.Meta.source_ip +",
      ].join("\n"),
    );
    expect(ds.map((d) => `${d.path.split(":")[1]} ${d.code}`).sort()).toEqual([
      "blackhole scenario.blackhole.invalid",
      "capacity scenario.field.type",
      "description scenario.description.missing",
      "filter scenario.field.missing",
      "filtre scenario.field.unknown",
      "groupby expr.syntax",
      "leakspeed scenario.leakspeed.invalid",
      "type scenario.type.unknown",
    ]);
  });

  it("rejects unknown fields with a suggestion", () => {
    const [d] = lint(sshBf.replace('leakspeed: "10s"', 'leak_speed: "10s"'));
    expect(d).toMatchObject({ path: "ssh-bf.yaml#0:leak_speed", code: "scenario.field.unknown" });
    expect(d?.message).toContain("did you mean leakspeed?");
  });

  it("explains wrongly typed and missing fields", () => {
    const ds = lint("type: leaky\nname: x/y\ndescription: d\ncapacity: five\nleakspeed: 1s\n");
    expect(ds.map((d) => `${d.path} ${d.code}`)).toEqual([
      "ssh-bf.yaml#0:filter scenario.field.missing",
      "ssh-bf.yaml#0:capacity scenario.field.type",
    ]);
    expect(ds[1]?.message).toContain('the text "five" is not valid for capacity');
    expect(ds[1]?.message).toContain("capacity: 5");
  });

  it("checks each bucket kind's own rules", () => {
    const doc = (body: string) =>
      `name: k/x\ndescription: x\nfilter: evt.Meta.log_type == 'fail'\n${body}`;
    const codes = (body: string) =>
      lint(doc(body)).map((d) => `${d.path.split(":")[1]} ${d.code} ${d.severity}`);
    expect(codes("type: trigger\ncapacity: 3\n")).toEqual([
      "capacity scenario.capacity.invalid error",
    ]);
    expect(codes("type: counter\ncapacity: -1\n")).toEqual([
      "duration scenario.duration.missing error",
    ]);
    expect(codes("type: counter\nduration: 1m\n")).toEqual([
      "capacity scenario.capacity.invalid error",
    ]);
    expect(codes("type: conditional\ncapacity: -1\nleakspeed: 1h\n")).toEqual([
      "condition scenario.condition.missing error",
    ]);
    expect(codes("type: conditional\nleakspeed: 1h\ncondition: len(queue.Queue) >= 3\n")).toEqual([
      "capacity scenario.capacity.conditional warning",
    ]);
    expect(codes("type: bayesian\n")[0]).toBe("type scenario.type.unknown error");
  });

  it("names a missing data file and says to pass --data", () => {
    const text = `type: trigger
name: d/x
description: x
filter: File('words.txt')
data:
  - source_url: https://hub-data.crowdsec.net/web/missing.txt
    dest_file: missing.txt
    type: string
`;
    const [d] = lint(text, "d.yaml");
    expect(d).toMatchObject({ path: "d.yaml#0:data[0].dest_file", code: "scenario.data.missing" });
    expect(d?.message).toContain('"missing.txt"');
    expect(d?.message).toContain("--data DIR");
  });

  it("finds a data file under the name in its source_url", () => {
    const text = `type: trigger
name: d/x
description: x
filter: File('renamed.txt')
data:
  - source_url: https://hub-data.crowdsec.net/web/words.txt
    dest_file: renamed.txt
`;
    const seen: (readonly string[] | undefined)[] = [];
    const compile: typeof opts.compile = (source, o) => {
      seen.push(o.data?.lines("renamed.txt"));
      return { ok: true, value: { source, run: () => true }, warnings: [] };
    };
    expect(lintScenarios([{ path: "d.yaml", text }], { ...opts, compile })).toEqual([]);
    expect(seen).toEqual([["a"]]);
  });

  it("passes expression errors through with their location", () => {
    const ds = lint(
      sshBf.replace("groupby: evt.Meta.source_ip\nblackhole", "groupby: evt.Meta.nope(\nblackhole"),
    );
    expect(ds).toHaveLength(1);
    expect(ds[0]).toMatchObject({ path: "ssh-bf.yaml#0:groupby", code: "expr.syntax" });
  });

  it("reports YAML syntax errors per document", () => {
    const ds = lint(`${sshBf}---\nname: [unclosed\n`);
    expect(ds).toHaveLength(1);
    expect(ds[0]).toMatchObject({ path: "ssh-bf.yaml#2", code: "scenario.yaml.syntax" });
  });

  it("warns about a remediation label that is not a boolean", () => {
    const ds = lint(sshBf.replace("  remediation: true\n---", '  remediation: "true"\n---'));
    expect(ds.map((d) => [d.path, d.severity])).toEqual([
      ["ssh-bf.yaml#0:labels.remediation", "warning"],
    ]);
  });

  it("warns about duplicate scenario names", () => {
    const ds = lintScenarios(
      [
        { path: "a.yaml", text: sshBf },
        { path: "b.yaml", text: sshBf },
      ],
      opts,
    );
    expect(ds.map((d) => d.path)).toEqual(["b.yaml#0:name", "b.yaml#1:name"]);
    expect(ds[0]?.message).toContain("a.yaml#0");
  });

  it("requires an expression for a custom scope", () => {
    const ds = lint(sshBf.replace("reprocess: true", "reprocess: true\nscope:\n  type: username"));
    expect(ds.map((d) => d.path)).toEqual(["ssh-bf.yaml#0:scope.expression"]);
  });

  it("skips empty documents and accepts empty keys", () => {
    expect(
      lint(
        `---\n${sshBf.replace("references:\n  - http://wikipedia.com/ssh-bf-is-bad\n", "references:\n")}---\n`,
      ),
    ).toEqual([]);
  });
});
