import { type Metrics, metricsSchema } from "../../contract/admin-access";
import { clientFor, outputOf, parseVerb, positionalsOf, print, printJson } from "./command";
import { table, when } from "./table";

export const METRICS_USAGE = `Usage:
  palisade metrics [-o human|json]

Lines ingested per machine and source type (parsed/unparsed), alerts per scenario,
decisions made and active per origin and type, edge requests per outcome (approximate:
each isolate reports about once a minute), each bouncer's last pull, and the KV
blocklist: its base and deltas, and the KV writes and deletes spent per UTC day against
the budget (KV_WRITE_BUDGET).`;

export async function runMetrics(args: string[]): Promise<void> {
  const { values, positionals } = parseVerb(args, {});
  if (positionals[0] === "help") return print(METRICS_USAGE);
  positionalsOf(positionals, [], METRICS_USAGE);
  const output = outputOf(values.output);
  const m = await clientFor(values).call(
    { action: "read the metrics", method: "GET", path: "/metrics" },
    metricsSchema,
  );
  if (output === "json") return printJson(m);
  print(metricsText(m));
}

function section(title: string, body: string | null): string {
  return `${title}\n${body ?? "  none"}`;
}

function nonEmpty<T>(rows: readonly T[], render: (r: readonly T[]) => string): string | null {
  return rows.length > 0 ? render(rows) : null;
}

/** One row per (origin, type): made since the counters started, and active now. */
function decisionRows(m: Metrics): (string | number)[][] {
  const key = (d: { origin: string; type: string }) => `${d.origin}\0${d.type}`;
  const active = new Map(m.decisions.active.map((d) => [key(d), d.count]));
  const created = new Set(m.decisions.created.map(key));
  const rows = m.decisions.created.map((d) => [d.origin, d.type, d.count, active.get(key(d)) ?? 0]);
  // Active decisions whose creation predates the counters still deserve a row.
  for (const d of m.decisions.active) {
    if (!created.has(key(d))) rows.push([d.origin, d.type, 0, d.count]);
  }
  return rows;
}

function kvText(kv: NonNullable<Metrics["kv"]>): string {
  const b = kv.budget;
  const last = kv.last_compaction;
  return [
    `  epoch ${kv.epoch}: base ${kv.base_bytes} bytes in ${kv.base_parts} key(s), ${kv.deltas} delta(s), ${kv.pending} change(s) pending${kv.next_flush ? `, next write ${when(kv.next_flush)}` : ""}`,
    last
      ? `  last compaction ${when(last.at)}: ${last.rows} decisions, ${last.parts} part(s), ${last.bytes} bytes (encoder peak ${last.peak_bytes} bytes)`
      : "  no compaction yet",
    kv.repair ? `  rewriting ${kv.repair} (an edge could not read it)` : null,
    `  budget ${b.per_day} writes a day (burst ${b.burst}); allowed so far today ${b.allowance_now}`,
    table(
      ["day (UTC)", "writes", "deletes"],
      b.days.map((d) => [d.day, d.writes, d.deletes]),
    ),
  ]
    .filter((line) => line !== null)
    .join("\n");
}

function metricsText(m: Metrics): string {
  return [
    `Counting since ${when(m.since)}.`,
    "",
    section(
      "Ingest:",
      nonEmpty(m.ingest, (r) =>
        table(
          ["machine", "type", "batches", "lines", "parsed", "unparsed"],
          r.map((i) => [i.machine, i.type, i.batches, i.lines, i.parsed, i.unparsed]),
        ),
      ),
    ),
    "",
    section(
      "Alerts (scenario overflows):",
      nonEmpty(m.overflows, (r) =>
        table(
          ["scenario", "alerts", "allowlisted"],
          r.map((o) => [o.scenario, o.count, o.allowlisted]),
        ),
      ),
    ),
    "",
    section(
      "Decisions:",
      nonEmpty(decisionRows(m), (r) => table(["origin", "type", "created", "active"], r)),
    ),
    "",
    section(
      "Edge requests:",
      nonEmpty(m.edge, (r) =>
        table(
          ["outcome", "requests"],
          r.map((e) => [e.outcome, e.count]),
        ),
      ),
    ),
    "",
    section(
      "Bouncers:",
      nonEmpty(m.bouncers, (r) =>
        table(
          ["name", "last pull", "user agent"],
          r.map((b) => [b.name, when(b.last_pull), b.user_agent]),
        ),
      ),
    ),
    "",
    section("KV blocklist:", m.kv ? kvText(m.kv) : null),
  ].join("\n");
}
