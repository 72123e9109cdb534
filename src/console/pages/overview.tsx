/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import type { AdminAlert } from "../../contract/admin";
import type { Stats, StatsWindow } from "../../contract/admin-stats";
import { RankBars, TimeBars } from "../charts";
import { href, Page, type PageCtx, when } from "../layout";
import { AlertRows } from "./alerts";

const WINDOWS: readonly [StatsWindow, string][] = [
  ["1h", "Last hour"],
  ["24h", "Last day"],
  ["7d", "Last week"],
];

function stepLabel(isoText: string, window: StatsWindow): string {
  return window === "7d"
    ? `${isoText.slice(5, 10)} ${isoText.slice(11, 13)}h`
    : isoText.slice(11, 16);
}

export function OverviewPage(props: { ctx: PageCtx; stats: Stats; recent: readonly AdminAlert[] }) {
  const { ctx, stats } = props;
  const bars = stats.buckets.map((b) => ({
    label: stepLabel(b.at, stats.window),
    values: [b.alerts, b.decisions],
  }));
  return (
    <Page ctx={ctx} title="Overview">
      <nav aria-label="Time window" class="card">
        {WINDOWS.map(([w, label]) => (
          <>
            <a
              href={href("", { window: w })}
              aria-current={w === stats.window ? "true" : undefined}
            >
              {label}
            </a>{" "}
          </>
        ))}
        <span class="muted">
          {" "}
          {when(stats.from)} – {when(stats.to)}
        </span>
      </nav>
      <section class="card kpis" aria-label="Totals">
        <p class="kpi">
          <b>{stats.totals.alerts}</b> alerts
        </p>
        <p class="kpi">
          <b>{stats.totals.decisions}</b> decisions made
        </p>
        <p class="kpi">
          <b>{stats.totals.active_decisions}</b> decisions active now
        </p>
      </section>
      <section class="card">
        <TimeBars
          id="activity"
          title="Alerts and decisions over time"
          series={["alerts", "decisions"]}
          bars={bars}
        />
      </section>
      <section class="card">
        <h2>Latest alerts</h2>
        {props.recent.length === 0 ? (
          <p class="muted">No alert yet.</p>
        ) : (
          <AlertRows alerts={props.recent} />
        )}
        <p>
          <a href={href("alerts")}>All alerts</a>
        </p>
      </section>
      <div class="grid">
        <RankBars
          title="Top scenarios"
          empty="No alert in this window."
          rows={stats.top_scenarios.map((s) => ({
            label: s.scenario,
            count: s.count,
            href: href("alerts", { scenario: s.scenario }),
          }))}
        />
        <RankBars
          title="Edge outcomes"
          empty="No visitor request counted in this window."
          rows={stats.edge.map((e) => ({ label: e.outcome, count: e.count }))}
        />
        <RankBars
          title="Stopped visitors by country"
          empty="No stopped visitor with a known country (request.cf) in this window."
          rows={stats.top_countries.map((c) => ({ label: c.country, count: c.count }))}
        />
        <RankBars
          title="Stopped visitors by ASN"
          empty="No stopped visitor with a known ASN (request.cf) in this window."
          rows={stats.top_asns.map((a) => ({ label: `AS${a.asn}`, count: a.count }))}
        />
        <RankBars
          title="Log lines ingested per machine"
          empty="No line ingested in this window."
          rows={stats.lines.map((l) => ({ label: l.machine, count: l.count }))}
        />
      </div>
    </Page>
  );
}
