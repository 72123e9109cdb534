import { exports } from "cloudflare:workers";
import parsePrometheusTextFormat from "parse-prometheus-text-format";
import { describe, expect, it } from "vitest";
import dashboard from "../../docs/grafana-dashboard.json";
import { admin, adminOk } from "./api-support";
import { failedSsh, flushKv, postIngest } from "./ingest-support";

// GET /_palisade/v1/metrics in Prometheus' text format, read back by a Prometheus text
// parser (parse-prometheus-text-format, a port of the Python client's parser).

const URL = "https://example.com/_palisade/v1/metrics";

function scrape(token: string | null) {
  return exports.default.fetch(
    URL,
    token === null ? {} : { headers: { Authorization: `Bearer ${token}` } },
  );
}

async function families() {
  const res = await scrape("test-metrics-token");
  expect(res.status).toBe(200);
  expect(res.headers.get("Content-Type")).toBe("text/plain; version=0.0.4; charset=utf-8");
  return parsePrometheusTextFormat(await res.text());
}

function value(
  fams: Awaited<ReturnType<typeof families>>,
  name: string,
  labels: Record<string, string> = {},
) {
  const f = fams.find((x) => x.name === name);
  const s = f?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
  return s === undefined ? undefined : Number(s.value);
}

describe("Prometheus metrics", () => {
  it("wants the metrics or admin token; the metrics token opens nothing else", async () => {
    expect((await scrape(null)).status).toBe(401);
    expect((await scrape("wrong")).status).toBe(403);
    expect((await scrape("test-admin-token")).status).toBe(200);
    expect((await scrape("test-metrics-token")).status).toBe(200);
    expect((await admin("GET", "/decisions", undefined, "test-metrics-token")).status).toBe(403);
  });

  it("follows Prometheus' naming: prefix, snake case, _total counters, HELP and TYPE", async () => {
    for (const f of await families()) {
      expect(f.name).toMatch(/^palisade_[a-z][a-z0-9_]*$/);
      expect(f.help.length).toBeGreaterThan(10);
      if (f.type === "COUNTER") expect(f.name).toMatch(/_total$/);
      else expect(f.type).toBe("GAUGE");
    }
  });

  it("counts lines per machine and type, overflows per scenario, decisions, KV writes", async () => {
    const before = await families();
    const ip = "203.0.113.71";
    const lines = Array.from({ length: 8 }, (_, i) => failedSsh(ip, Date.now() + i * 1000));
    lines.push("this is not a syslog line");
    await postIngest({ batch_id: crypto.randomUUID(), source: { type: "syslog" }, lines });
    await flushKv();
    const after = await families();
    const grew = (name: string, labels: Record<string, string>, by: number) =>
      expect((value(after, name, labels) ?? 0) - (value(before, name, labels) ?? 0)).toBe(by);
    grew("palisade_ingest_lines_total", { machine: "bootstrap", type: "syslog" }, 9);
    grew("palisade_ingest_lines_unparsed_total", { machine: "bootstrap", type: "syslog" }, 1);
    grew("palisade_ingest_batches_total", { machine: "bootstrap", type: "syslog" }, 1);
    grew("palisade_bucket_overflows_total", { scenario: "palisade/ssh-bf" }, 1);
    grew("palisade_decisions_created_total", { origin: "palisade", type: "ban" }, 1);
    expect(
      value(after, "palisade_decisions_active", { origin: "palisade", type: "ban" }),
    ).toBeGreaterThan(0);
    expect(value(after, "palisade_kv_writes_total")).toBeGreaterThan(
      value(before, "palisade_kv_writes_total") ?? 0,
    );
    expect(value(after, "palisade_kv_writes_today")).toBeGreaterThan(0);
    expect(value(after, "palisade_kv_write_budget_per_day")).toBe(1000);
  });

  it("escapes label values so a hostile scenario name reads back as it is", async () => {
    const reason = 'bad "quoted" \\ reason\nsecond line';
    await adminOk("POST", "/decisions", { ip: "203.0.113.72", duration: "1h", reason });
    const fams = await families();
    expect(value(fams, "palisade_bucket_overflows_total", { scenario: reason })).toBe(1);
  });

  it("the Grafana dashboard in docs/ asks only for metrics the endpoint exports", async () => {
    const names = new Set((await families()).map((f) => f.name));
    const asked = JSON.stringify(dashboard).match(/palisade_[a-z_]+/g) ?? [];
    expect(asked.length).toBeGreaterThan(10);
    for (const n of asked) expect(names, n).toContain(n);
  });
});
