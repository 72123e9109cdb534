/// <reference types="vite/client" />
import { reset, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { applyChange } from "../../src/content/change";
import { compilePack } from "../../src/content/pack";
import { EMPTY_BUNDLE } from "../../src/contract/content";
import { ingestResponseSchema } from "../../src/contract/ingest";
import { parserFor } from "../../src/core/parser/index";
import { Replay } from "../../src/core/replay";
import { changed } from "./content-support";
import { ledger, postIngest } from "./ingest-support";

// Issue 14: the replay engine (what `palisade replay` runs) and the deployed Worker
// (ingest → trackers → Ledger) raise the same alerts on the same log, on every golden
// case, with scenarios grouped by something other than the source IP added: those
// route to the tracker of their group key, so events of many addresses meet there as
// they do in replay's single engine.

const inputs = import.meta.glob("../golden/*/input.log", {
  query: "?raw",
  import: "default",
  eager: true,
}) as Record<string, string>;
const specs = import.meta.glob("../golden/*/case.yaml", {
  query: "?raw",
  import: "default",
  eager: true,
}) as Record<string, string>;

/** Grouped by path and by target user: non-IP keys, routed by group. */
const EXTRA = `type: leaky
name: acme/path-404-spread
description: "404s on one path, from any address"
filter: evt.Meta.log_type == 'http_access-log' && evt.Meta.http_status == '404'
groupby: evt.Meta.http_path
capacity: 2
leakspeed: 30s
blackhole: 1m
labels:
  remediation: true
---
type: leaky
name: acme/user-spray
description: "failed logins for one user, from any address"
filter: evt.Meta.log_type in ['ssh_failed-auth', 'postfix', 'dovecot_logs'] && evt.Meta.target_user != ''
groupby: evt.Meta.target_user
capacity: 3
leakspeed: 1m
blackhole: 1m
labels:
  remediation: true
`;
const CHANGE = { scenarios: [{ name: "extra.yaml", text: EXTRA }] };

interface CaseSpec {
  type: string;
  year?: number;
}

interface Seen {
  scenario: string;
  value: string;
  events_count: number;
  stop_at: number;
}

const key = (a: Seen) => `${a.scenario} ${a.value} ${a.events_count} ${a.stop_at}`;

/** Lines cut into batches that stay well within the direct-pour budget (no queue). */
function batchesOf(lines: string[]): string[][] {
  const out: string[][] = [];
  let cur: string[] = [];
  let ips = new Set<string>();
  for (const line of lines) {
    const found = line.match(/\b\d{1,3}(?:\.\d{1,3}){3}\b|[0-9a-f]{1,4}(?::[0-9a-f]{0,4}){2,7}/gi);
    const next = new Set([...ips, ...(found ?? [])]);
    if (cur.length >= 400 || next.size > 12) {
      out.push(cur);
      cur = [];
      ips = new Set(found ?? []);
    } else ips = next;
    cur.push(line);
  }
  if (cur.length > 0) out.push(cur);
  return out;
}

function replayed(spec: CaseSpec, lines: string[]): Seen[] {
  const bundle = applyChange(EMPTY_BUNDLE, CHANGE, 64).bundle;
  if (!bundle) throw new Error("the extra scenarios do not load");
  const pack = compilePack(1, bundle, 64);
  const parser = parserFor(spec.type);
  if (!parser) throw new Error(`unknown type ${spec.type}`);
  const replay = new Replay({
    parser,
    parseOptions: { now: Date.UTC(2026, 10, 27), ...(spec.year ? { year: spec.year } : {}) },
    scenarios: pack.scenarios,
    profiles: pack.profiles,
    allowlist: pack.allowlist,
  });
  const origin = { src: "input.log", module: "file", labels: { type: spec.type } };
  for (const line of lines) replay.line(line, origin);
  return replay.results().map((o) => ({
    scenario: o.alert.scenario,
    value: o.alert.source.value,
    events_count: o.alert.events_count,
    stop_at: o.alert.stop_at,
  }));
}

async function ingested(name: string, spec: CaseSpec, lines: string[]): Promise<Seen[]> {
  let n = 0;
  for (const lines_ of batchesOf(lines)) {
    const source: Record<string, unknown> = { type: spec.type, name: `golden/${name}` };
    if (spec.year) source.year = spec.year;
    const res = await postIngest({ batch_id: `${name}-${n++}`, source, lines: lines_ });
    const text = await res.text();
    expect(res.status, text).toBe(200);
    expect(ingestResponseSchema.parse(JSON.parse(text)).queued).toBe(0);
  }
  return runInDurableObject(ledger(), (_, state) =>
    state.storage.sql
      .exec<{ alert: string }>("SELECT alert FROM alerts ORDER BY seq")
      .toArray()
      .map((r) => {
        const a = JSON.parse(r.alert) as {
          scenario: string;
          source: { value: string };
          events_count: number;
          stop_at: number;
        };
        return {
          scenario: a.scenario,
          value: a.source.value,
          events_count: a.events_count,
          stop_at: a.stop_at,
        };
      }),
  );
}

describe("replay and the Worker raise the same alerts (golden cases + non-IP groupby)", () => {
  const cases = Object.keys(specs)
    .map((p) => p.split("/")[2] as string)
    .sort();
  let grouped = 0;

  it("there are golden cases to compare", () => {
    expect(cases.length).toBeGreaterThan(20);
  });

  for (const name of cases) {
    // The largest case (1,500 lines) takes seconds on a loaded machine; nothing is timed.
    it(name, { timeout: 180_000 }, async () => {
      await reset();
      const spec = parseYaml(specs[`../golden/${name}/case.yaml`] as string) as CaseSpec;
      const lines = (inputs[`../golden/${name}/input.log`] ?? "")
        .split("\n")
        .filter((l) => l !== "");
      await changed(CHANGE);
      const want = replayed(spec, lines);
      const got = await ingested(name, spec, lines);
      expect(got.map(key).sort()).toEqual(want.map(key).sort());
      grouped += want.filter((a) => a.scenario.startsWith("acme/")).length;
    });
  }

  it("the non-IP groupby scenarios did fire somewhere", () => {
    console.log(`palisade.test.differential: ${grouped} alert(s) of the non-IP groupby scenarios`);
    expect(grouped).toBeGreaterThan(0);
  });
});
