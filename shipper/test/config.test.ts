import { describe, expect, it } from "vitest";
import { MAX_LINE_CHARS, MAX_LINES } from "../../src/contract/ingest";
import { formatDiagnostic } from "../src/config/diagnostic";
import { SETTINGS } from "../src/config/settings";
import { type ConfigInput, loadConfig } from "../src/config/shipper-config";
import { parseYaml, toPlain } from "../src/config/yaml";

const FULL = `# palisade-ship config
url: https://example.com
token: "s3cret"
state_dir: /var/lib/palisade-ship
batch:
  max_lines: 1000
  max_wait: 250ms   # flush quickly
spool: {max_bytes: 64MiB}
sources:
  - paths:
      - /var/log/nginx/access.log
      - '/var/log/nginx/*.access.log'
    type: nginx
    labels: {env: prod, site: "shop"}
  - source: journalctl
    journalctl_filter: ["_SYSTEMD_UNIT=ssh.service"]
    type: syslog
  - source: stdin
    type: traefik
`;

function load(text: string | undefined, over: Partial<ConfigInput> = {}) {
  return loadConfig({
    ...(text === undefined ? {} : { file: { name: "ship.yaml", text } }),
    env: {},
    flags: {},
    needs: { url: true, stateDir: true, sources: true },
    readFile: () => {
      throw new Error("ENOENT: no such file");
    },
    ...over,
  });
}

function errors(text: string | undefined, over: Partial<ConfigInput> = {}): string[] {
  const r = load(text, over);
  return r.ok ? [] : r.errors.map(formatDiagnostic);
}

describe("YAML subset", () => {
  it("reads mappings, sequences, flow collections, quoting, comments and core scalars", () => {
    const r = parseYaml(FULL, "ship.yaml");
    expect(r.ok).toBe(true);
    expect(toPlain(r.ok ? r.value : null)).toEqual({
      url: "https://example.com",
      token: "s3cret",
      state_dir: "/var/lib/palisade-ship",
      batch: { max_lines: 1000, max_wait: "250ms" },
      spool: { max_bytes: "64MiB" },
      sources: [
        {
          paths: ["/var/log/nginx/access.log", "/var/log/nginx/*.access.log"],
          type: "nginx",
          labels: { env: "prod", site: "shop" },
        },
        { source: "journalctl", journalctl_filter: ["_SYSTEMD_UNIT=ssh.service"], type: "syslog" },
        { source: "stdin", type: "traefik" },
      ],
    });
  });

  it("reads scalars the way YAML's core schema does", () => {
    const r = parseYaml(
      `a: ~\nb: true\nc: -12\nd: 1.5e3\ne: 'it''s'\nf: "tab\\tand \\u00e9"\ng: a#b\nh: [1, [2, {x: y}], ""]\nkey list:\n- x\n- - nested\n`,
      "t.yaml",
    );
    expect(r.ok && toPlain(r.value)).toEqual({
      a: null,
      b: true,
      c: -12,
      d: 1500,
      e: "it's",
      f: "tab\tand é",
      g: "a#b",
      h: [1, [2, { x: "y" }], ""],
      "key list": ["x", ["nested"]],
    });
  });

  it.each([
    ["a:\n\tb: 1\n", "2:1", "tabs are not allowed"],
    ["a: &x 1\nb: *x\n", "1:4", "anchors and aliases"],
    ["a: |\n  text\n", "1:4", "block scalars"],
    ["a: !!str 1\n", "1:4", "tags"],
    ["a: 1\na: 2\n", "2:1", 'duplicate key "a"'],
    ["a: [1, 2\n", "1:9", "must close with ]"],
    ['a: "open\n', "1:4", "unterminated"],
    ["a: b: c\n", "1:5", 'unexpected ": "'],
    ["a: 1\n  b: 2\n", "2:3", "unexpected indentation"],
    ["sources: []\n---\nurl: x\n", "2:1", "only one YAML document"],
  ])("rejects %j at %s with a message naming the problem", (text, where, message) => {
    const r = parseYaml(text, "t.yaml");
    expect(r.ok).toBe(false);
    const d = r.ok ? undefined : r.errors[0];
    expect(d?.path).toBe(`t.yaml:${where}`);
    expect(d?.message).toContain(message);
  });
});

describe("config", () => {
  it("builds the configuration with defaults, units and the ingest URL", () => {
    const r = load(FULL);
    if (!r.ok) throw new Error(r.errors.map(formatDiagnostic).join("\n"));
    const c = r.value;
    expect(c.url).toBe("https://example.com/_palisade/v1/ingest");
    expect(c.batch).toEqual({ maxLines: 1000, maxBytes: 524_288, maxWaitMs: 250 });
    expect(c.spool.maxBytes).toBe(64 * 1024 * 1024);
    expect(c.sources.map((s) => [s.kind, s.type])).toEqual([
      ["file", "nginx"],
      ["journald", "syslog"],
      ["stdin", "traefik"],
    ]);
    expect(c.sources[0]?.labels).toEqual({ env: "prod", site: "shop" });
    expect(c.sources[0]?.startAt).toBe("end");
  });

  it("lets the environment override the file and flags override both", () => {
    const env = {
      PALISADE_SHIP_TOKEN: "from-env",
      PALISADE_SHIP_BATCH_MAX_LINES: "7",
      PALISADE_SHIP_URL: "https://env.example",
    };
    const r = load(FULL, { env, flags: { url: "http://127.0.0.1:8787/", gzip: "false" } });
    expect(r.ok && [r.value.token, r.value.batch.maxLines, r.value.url, r.value.gzip]).toEqual([
      "from-env",
      7,
      "http://127.0.0.1:8787/_palisade/v1/ingest",
      false,
    ]);
  });

  it("reads the token from token_file", () => {
    const r = load(
      "url: https://x.example\ntoken_file: /etc/palisade/token\nstate_dir: /s\nsources: [{paths: [/a.log], type: nginx}]\n",
      { readFile: () => "tok-from-file\n" },
    );
    expect(r.ok && r.value.token).toBe("tok-from-file");
  });

  it("rejects an unknown key naming it, where it is and the likely fix", () => {
    expect(
      errors("url: https://x\ntoken: t\nstate_dri: /s\nsources: [{paths: [/a], type: nginx}]\n"),
    ).toEqual([
      'ship.yaml:3:1 state_dri: unknown key "state_dri": did you mean "state_dir"? Rename it [config.key.unknown]',
      "state_dir: state_dir is required: a directory the shipper owns, e.g. /var/lib/palisade-ship (--state-dir) [config.missing]",
    ]);
    expect(
      errors(
        "url: https://x\ntoken: t\nstate_dir: /s\nbatch: {max_line: 5}\nsources: [{paths: [/a], type: nginx}]\n",
      )[0],
    ).toContain('unknown key "batch.max_line": did you mean "max_lines"?');
  });

  it("explains CrowdSec acquis.yaml spellings", () => {
    const e = errors(
      "url: https://x\ntoken: t\nstate_dir: /s\nsources:\n  - filenames: [/var/log/nginx/access.log]\n    labels: {type: nginx}\n",
    );
    expect(e.join("\n")).toContain(
      'ship.yaml:5:5 sources[0]: unknown key "filenames" in a source: the shipper calls CrowdSec\'s filenames `paths`',
    );
    expect(e.join("\n")).toContain(
      "write the type at the source level (`type: …`), not under labels",
    );
  });

  it("reports every value error at once, each with the rule", () => {
    const e = errors(
      "url: ftp://x\ntoken: t\nstate_dir: /s\nbatch: {max_wait: soon, max_lines: 0}\ngzip: maybe\nsources: [{paths: [/a], type: nginx, start_at: middle}]\n",
    );
    expect(e).toHaveLength(5);
    expect(e.join("\n")).toContain(
      '"soon" is not valid for batch.max_wait: expected a duration such as "500ms"',
    );
    expect(e.join("\n")).toContain(
      "batch.max_lines: 0 is not valid for batch.max_lines: must be at least 1",
    );
    expect(e.join("\n")).toContain('"maybe" is not valid for gzip: expected true or false');
    expect(e.join("\n")).toContain('start_at must be "beginning" or "end", not "middle"');
    expect(e.join("\n")).toContain("url must be http:// or https://, not ftp:");
  });

  it("names what is missing and how to provide it", () => {
    const e = errors(undefined);
    expect(e.map((x) => x.split(":")[0])).toEqual(["url", "token", "state_dir", "sources"]);
    expect(e[1]).toContain("PALISADE_SHIP_TOKEN");
  });

  it("rejects unknown PALISADE_SHIP_ variables and unsupported sources", () => {
    expect(errors(FULL, { env: { PALISADE_SHIP_TOKN: "x" } })).toEqual([
      'env PALISADE_SHIP_TOKN: unknown variable PALISADE_SHIP_TOKN: did you mean "PALISADE_SHIP_TOKEN"? Rename it [config.env.unknown]',
    ]);
    expect(
      errors(
        "url: https://x\ntoken: t\nstate_dir: /s\nsources: [{source: docker, type: nginx}]\n",
      )[0],
    ).toContain('source "docker" is not supported');
  });

  it("reports an unreadable token file", () => {
    expect(
      errors(
        "url: https://x\ntoken_file: /nope\nstate_dir: /s\nsources: [{paths: [/a], type: nginx}]\n",
      )[0],
    ).toContain("cannot read /nope: ENOENT");
  });
});

describe("limits against the ingest contract", () => {
  it("never lets a batch or a line exceed what the Worker accepts", () => {
    const max = (key: string) => SETTINGS.find((s) => s.key === key)?.max;
    // A batch of max_lines lines passes the Worker's MAX_LINES.
    expect(max("batch.max_lines")).toBeLessThanOrEqual(MAX_LINES);
    // A line cut to max_line_bytes UTF-8 bytes has at most that many characters.
    expect(max("max_line_bytes")).toBeLessThanOrEqual(MAX_LINE_CHARS);
  });
});
