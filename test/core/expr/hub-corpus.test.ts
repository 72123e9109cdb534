import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { dataStoreFrom } from "../../../src/core/data";
import { compileExpr, UNSUPPORTED_HELPERS } from "../../../src/core/expr";
import { evalBool } from "./support";

// Compiles the expressions of the real CrowdSec hub (../shared/corpus, never copied here).
const corpusDir = resolve(import.meta.dirname, "../../../../shared/corpus");
const rulesDir = join(corpusDir, "crowdsec-hub-rules");
const dataDir = join(corpusDir, "crowdsec-data");
const present = existsSync(rulesDir);

const SCENARIO_FIELDS = [
  "filter",
  "condition",
  "overflow_filter",
  "cancel_on",
  "groupby",
  "distinct",
];

/**
 * crowdsecurity scenario expressions allowed not to compile, with the reason. Empty today:
 * every expression compiles. Each entry must still fail, so a fixed one gets removed.
 */
const EXCEPTIONS: Record<string, string> = {};

interface Found {
  where: string;
  src: string;
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return yamlFiles(p);
    return /\.ya?ml$/.test(name) ? [p] : [];
  });
}

function scenarioExpressions(file: string): Found[] {
  const out: Found[] = [];
  const rel = relative(rulesDir, file);
  parseAllDocuments(readFileSync(file, "utf8")).forEach((doc, i) => {
    const d = doc.toJS() as Record<string, unknown> | null;
    if (!d || typeof d !== "object") return;
    for (const f of SCENARIO_FIELDS) {
      if (typeof d[f] === "string") out.push({ where: `${rel}#${i}:${f}`, src: d[f] as string });
    }
    const scope = d.scope as Record<string, unknown> | undefined;
    if (typeof scope?.expression === "string")
      out.push({ where: `${rel}#${i}:scope.expression`, src: scope.expression });
  });
  return out;
}

/** Every `filter`/`expression`-like string anywhere in a parser, postoverflow or scenario. */
function allExpressions(value: unknown, where: string, out: Found[]): void {
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) allExpressions(v, `${where}[${i}]`, out);
    return;
  }
  if (!value || typeof value !== "object") return;
  for (const [k, v] of Object.entries(value)) {
    const isExpr = [...SCENARIO_FIELDS, "expression"].includes(k);
    if (isExpr && typeof v === "string") out.push({ where: `${where}.${k}`, src: v });
    else if (k === "expression" && Array.isArray(v)) {
      for (const [i, s] of v.entries()) {
        if (typeof s === "string") out.push({ where: `${where}.${k}[${i}]`, src: s });
      }
    } else allExpressions(v, `${where}.${k}`, out);
  }
}

function hubData() {
  const files: Record<string, string> = {};
  for (const f of existsSync(dataDir) ? readdirSync(dataDir) : [])
    files[f] = readFileSync(join(dataDir, f), "utf8");
  return dataStoreFrom(files);
}

if (!present) {
  describe("hub corpus", () => {
    it(`is ABSENT at ${rulesDir}: no hub expression was compiled (this run proves nothing about the hub)`, () => {
      expect(existsSync(rulesDir)).toBe(false);
    });
  });
} else {
  describe("hub corpus: crowdsecurity scenarios", () => {
    const files = yamlFiles(join(rulesDir, "scenarios", "crowdsecurity"));
    const found = files.flatMap(scenarioExpressions);
    const data = hubData();

    it("finds the scenario expressions", () => {
      expect(files.length).toBeGreaterThan(100);
      expect(found.length).toBeGreaterThan(300);
      expect(found.some((f) => f.where.endsWith(":condition"))).toBe(true);
      expect(found.some((f) => f.where.endsWith(":scope.expression"))).toBe(true);
    });

    it("compiles every filter, condition, cancel_on, groupby, distinct and scope expression", () => {
      const failures: string[] = [];
      for (const f of found) {
        const r = compileExpr(f.src, { path: f.where, data, names: ["evt", "queue", "leaky"] });
        if (r.ok === (EXCEPTIONS[f.where] === undefined)) continue;
        failures.push(
          r.ok
            ? `${f.where}: listed as an exception but compiles`
            : r.errors.map((e) => `${e.path}: ${e.message}`).join("\n"),
        );
      }
      expect(failures).toEqual([]);
    });

    it("evaluates every filter on an nginx and an sshd event without an evaluation error", () => {
      const events = {
        nginx: {
          Line: { Raw: "x", Labels: { type: "nginx" } },
          Meta: {
            log_type: "http_access-log",
            service: "http",
            http_status: "404",
            http_path: "/wp-login.php?x=1",
            http_verb: "GET",
            source_ip: "192.0.2.1",
            http_user_agent: "curl/7",
            http_args_len: "3",
          },
          Parsed: {
            verb: "GET",
            request: "/wp-login.php?x=1",
            http_args: "x=1",
            file_name: "wp-login.php",
            static_ressource: "false",
            http_user_agent: "curl/7",
            http_version: "1.1",
          },
          Enriched: {},
          Unmarshaled: {},
          Time: 1_700_000_000_000,
        },
        sshd: {
          Line: { Raw: "x", Labels: { type: "syslog" } },
          Meta: {
            log_type: "ssh_failed-auth",
            service: "ssh",
            source_ip: "192.0.2.1",
            target_user: "root",
          },
          Parsed: { program: "sshd" },
          Enriched: {},
          Unmarshaled: {},
          Time: 1_700_000_000_000,
        },
      };
      const errors: string[] = [];
      let matched = 0;
      for (const f of found.filter((x) => x.where.endsWith(":filter"))) {
        const r = compileExpr(f.src, { path: f.where, data, names: ["evt"] });
        if (!r.ok) continue;
        for (const [kind, evt] of Object.entries(events)) {
          if (
            evalBool(r.value, { evt: structuredClone(evt) }, (e) =>
              errors.push(`${f.where} on ${kind}: ${e.message}`),
            )
          )
            matched++;
        }
      }
      expect(errors).toEqual([]);
      // http-probing, the wordpress scans, ssh-bf… match these events.
      expect(matched).toBeGreaterThan(5);
    });
  });

  describe("hub corpus: every parser, postoverflow and scenario expression", () => {
    it("parses everywhere; the only compile errors are helpers Palisade documents as unsupported", () => {
      const found: Found[] = [];
      for (const file of yamlFiles(rulesDir)) {
        for (const [i, doc] of parseAllDocuments(readFileSync(file, "utf8")).entries()) {
          allExpressions(doc.toJS(), `${relative(rulesDir, file)}#${i}`, found);
        }
      }
      expect(found.length).toBeGreaterThan(2000);
      const unexpected: string[] = [];
      const unsupported = new Set<string>();
      for (const f of found) {
        const r = compileExpr(f.src, { path: f.where });
        if (r.ok) continue;
        for (const e of r.errors) {
          const name = /^(\w+)\(\) is a CrowdSec helper/.exec(e.message)?.[1];
          if (e.code === "expr.unsupported-function" && name && name in UNSUPPORTED_HELPERS)
            unsupported.add(name);
          else unexpected.push(`${e.path}: [${e.code}] ${e.message}`);
        }
      }
      expect(unexpected).toEqual([]);
      // What the hub uses that Palisade leaves out (Windows XML, parser stash, key=value parsing).
      expect([...unsupported].sort()).toEqual([
        "GetFromStash",
        "ParseKVLax",
        "XMLGetAttributeValue",
        "XMLGetNodeValue",
      ]);
    });
  });
}
