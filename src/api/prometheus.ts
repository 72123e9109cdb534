import type { Observation } from "../contract/observation";

/**
 * Palisade's metrics in the Prometheus text exposition format (0.0.4): `palisade_`
 * prefix, base units, `_total` for counters, one HELP and TYPE per family, label values
 * escaped. Counters are cumulative since the Ledger's first count (a Ledger reset looks
 * like a counter reset, which `rate()` handles).
 */

type Labels = Record<string, string>;
interface Family {
  name: string;
  help: string;
  type: "counter" | "gauge";
  samples: [Labels, number][];
}

export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/** The free plan's daily KV write quota, unless KV_WRITES_PER_DAY says the plan's. */
export const FREE_PLAN_KV_WRITES = 1_000;

export function renderPrometheus(o: Observation, kvBudget: number): string {
  const m = o.metrics;
  const families: Family[] = [
    fam(
      "palisade_ingest_batches_total",
      "Ingest batches accepted (first completion of a batch id).",
      "counter",
      m.ingest.map((r) => [{ machine: r.machine, type: r.type }, r.batches]),
    ),
    fam(
      "palisade_ingest_lines_total",
      "Log lines received by ingest.",
      "counter",
      m.ingest.map((r) => [{ machine: r.machine, type: r.type }, r.lines]),
    ),
    fam(
      "palisade_ingest_lines_parsed_total",
      "Log lines a parser understood.",
      "counter",
      m.ingest.map((r) => [{ machine: r.machine, type: r.type }, r.parsed]),
    ),
    fam(
      "palisade_ingest_lines_unparsed_total",
      "Log lines no parser understood (counted and skipped).",
      "counter",
      m.ingest.map((r) => [{ machine: r.machine, type: r.type }, r.unparsed]),
    ),
    fam(
      "palisade_ingest_queued_events_total",
      "Events ingest handed to the queue (past the subrequest budget).",
      "counter",
      o.ingestQueued.map((r) => [{ machine: r.machine, type: r.type }, r.count]),
    ),
    fam(
      "palisade_bucket_overflows_total",
      "Alerts raised, by scenario (bucket overflows and watcher alerts).",
      "counter",
      m.overflows.map((r) => [{ scenario: r.scenario }, r.count]),
    ),
    fam(
      "palisade_bucket_overflows_allowlisted_total",
      "Alerts whose source was allowlisted (no decision).",
      "counter",
      m.overflows.map((r) => [{ scenario: r.scenario }, r.allowlisted]),
    ),
    fam(
      "palisade_decisions_created_total",
      "Decisions made, by origin and type.",
      "counter",
      m.decisions.created.map((r) => [{ origin: r.origin, type: r.type }, r.count]),
    ),
    fam(
      "palisade_decisions_active",
      "Decisions in force now, by origin and type.",
      "gauge",
      m.decisions.active.map((r) => [{ origin: r.origin, type: r.type }, r.count]),
    ),
    fam(
      "palisade_edge_requests_total",
      "Visitor requests seen by the edge, by outcome (reported by each isolate at most once a minute).",
      "counter",
      m.edge.map((r) => [{ outcome: r.outcome }, r.count]),
    ),
    fam(
      "palisade_kv_writes_total",
      "KV puts made by the Ledger (blocklist deltas, bases, manifests, allowlists).",
      "counter",
      [[{}, o.kv.writes]],
    ),
    fam(
      "palisade_kv_deletes_total",
      "KV deletes made by the Ledger (superseded keys).",
      "counter",
      [[{}, o.kv.deletes]],
    ),
    fam("palisade_kv_writes_today", "KV puts since 00:00 UTC (the plan's quota day).", "gauge", [
      [{}, o.kv.writesToday],
    ]),
    fam(
      "palisade_kv_write_budget_per_day",
      "The plan's daily KV write quota (KV_WRITES_PER_DAY, else the free plan's).",
      "gauge",
      [[{}, kvBudget]],
    ),
    fam("palisade_kv_pending_changes", "Decision changes waiting for the next KV flush.", "gauge", [
      [{}, o.kv.pending],
    ]),
    fam("palisade_kv_deltas", "Delta keys in the current blocklist epoch.", "gauge", [
      [{}, o.kv.deltas],
    ]),
    fam(
      "palisade_bouncer_last_pull_timestamp_seconds",
      "When each bouncer last pulled the stream.",
      "gauge",
      m.bouncers.flatMap((b) =>
        b.last_pull
          ? [[{ bouncer: b.name }, Date.parse(b.last_pull) / 1000] as [Labels, number]]
          : [],
      ),
    ),
    fam(
      "palisade_notifications_pending",
      "Alerts waiting for their notification channel's group.",
      "gauge",
      o.notifications.map((n) => [{ channel: n.channel }, n.pending]),
    ),
    fam(
      "palisade_notifications_sent_total",
      "Notification messages delivered.",
      "counter",
      o.notifications.map((n) => [{ channel: n.channel }, n.sent]),
    ),
    fam(
      "palisade_notifications_alerts_total",
      "Alerts carried by delivered notification messages.",
      "counter",
      o.notifications.map((n) => [{ channel: n.channel }, n.alerts]),
    ),
    fam(
      "palisade_notifications_suppressed_total",
      "Alerts left out of messages by a channel's rate limit (counted in the next message).",
      "counter",
      o.notifications.map((n) => [{ channel: n.channel }, n.suppressed]),
    ),
    fam(
      "palisade_notifications_failed_total",
      "Notification delivery attempts that failed (retried).",
      "counter",
      o.notifications.map((n) => [{ channel: n.channel }, n.failed]),
    ),
    fam(
      "palisade_notifications_dead_total",
      "Notification messages given up on (dead-letter queue).",
      "counter",
      o.notifications.map((n) => [{ channel: n.channel }, n.dead]),
    ),
    fam("palisade_console_sessions", "Live console sessions.", "gauge", [[{}, o.sessions]]),
  ];
  return `${families.map(render).join("\n")}\n`;
}

function fam(
  name: string,
  help: string,
  type: Family["type"],
  samples: [Labels, number][],
): Family {
  return { name, help, type, samples };
}

function render(f: Family): string {
  const lines = [
    `# HELP ${f.name} ${f.help.replaceAll("\\", "\\\\").replaceAll("\n", "\\n")}`,
    `# TYPE ${f.name} ${f.type}`,
  ];
  for (const [labels, value] of f.samples) lines.push(`${f.name}${labelText(labels)} ${value}`);
  return lines.join("\n");
}

function labelText(labels: Labels): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${escapeValue(v)}"`);
  return parts.length === 0 ? "" : `{${parts.join(",")}}`;
}

function escapeValue(v: string): string {
  return v.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("\n", "\\n");
}
