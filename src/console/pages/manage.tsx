/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import type { Bouncer, Machine, Metrics } from "../../contract/admin-access";
import type { ConsoleSession, Notifications, ScenarioInfo } from "../../contract/admin-stats";
import { ActionButton, Csrf, href, Page, type PageCtx, when } from "../layout";

/** A secret the API returns once (a bouncer key, a machine token). */
export interface Revealed {
  kind: "bouncer" | "machine";
  name: string;
  secret: string;
}

function NameForm(props: { ctx: PageCtx; kind: "bouncer" | "machine" }) {
  return (
    <form class="row" method="post" action={href(`credentials/${props.kind}s`)}>
      <Csrf ctx={props.ctx} />
      <label>
        {`New ${props.kind} name`}
        <input
          name="name"
          required
          pattern="[A-Za-z0-9][A-Za-z0-9._@\-]{0,63}"
          placeholder={props.kind === "bouncer" ? "fw-01" : "web-01"}
        />
      </label>
      <button type="submit">{`Create ${props.kind}`}</button>
    </form>
  );
}

export function CredentialsPage(props: {
  ctx: PageCtx;
  bouncers: readonly Bouncer[];
  machines: readonly Machine[];
  revealed?: Revealed | undefined;
}) {
  const { ctx, revealed } = props;
  return (
    <Page ctx={ctx} title="Bouncers & machines">
      {revealed ? (
        <section class="card" aria-labelledby="secret-title">
          <h2 id="secret-title">{`The ${revealed.kind === "bouncer" ? "API key of bouncer" : "token of machine"} ${revealed.name}`}</h2>
          <p>Copy it now: it is shown this once and Palisade keeps only its hash.</p>
          <p class="secret" data-secret={revealed.kind}>
            {revealed.secret}
          </p>
        </section>
      ) : null}
      <section class="card">
        <h2>Bouncers</h2>
        <p class="muted">
          A CrowdSec bouncer uses <code>api_url: https://&lt;host&gt;/_palisade/</code> and its key.
        </p>
        <NameForm ctx={ctx} kind="bouncer" />
        <table>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Created</th>
              <th scope="col">Last pull</th>
              <th scope="col">Instances</th>
              <th scope="col">Revoke</th>
            </tr>
          </thead>
          <tbody>
            {props.bouncers.map((b) => (
              <tr>
                <td>{b.name}</td>
                <td>{when(b.created_at)}</td>
                <td>{b.last_pull ? `${when(b.last_pull)} ${b.user_agent ?? ""}` : "never"}</td>
                <td>{b.instances.map((i) => i.ip).join(", ") || "—"}</td>
                <td>
                  <ActionButton
                    ctx={ctx}
                    action={href(`credentials/bouncers/${b.name}/delete`)}
                    label="Revoke"
                    danger
                    aria={`Revoke bouncer ${b.name}`}
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <section class="card">
        <h2>Machines</h2>
        <p class="muted">
          A machine token is a shipper's ingest token and a CrowdSec agent's watcher password.
        </p>
        <NameForm ctx={ctx} kind="machine" />
        <table>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Created</th>
              <th scope="col">Last seen (watcher)</th>
              <th scope="col">Revoke</th>
            </tr>
          </thead>
          <tbody>
            {props.machines.map((m) => (
              <tr>
                <td>{m.name}</td>
                <td>{when(m.created_at)}</td>
                <td>{when(m.last_seen)}</td>
                <td>
                  <ActionButton
                    ctx={ctx}
                    action={href(`credentials/machines/${m.name}/delete`)}
                    label="Revoke"
                    danger
                    aria={`Revoke machine ${m.name}`}
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </Page>
  );
}

export function ScenariosPage(props: { ctx: PageCtx; scenarios: readonly ScenarioInfo[] }) {
  const sorted = [...props.scenarios].sort(
    (a, b) => b.alerts - a.alerts || a.name.localeCompare(b.name),
  );
  return (
    <Page ctx={props.ctx} title="Scenarios">
      <section class="card">
        <table>
          <thead>
            <tr>
              <th scope="col">Scenario</th>
              <th scope="col">Type</th>
              <th scope="col" class="num">
                Capacity
              </th>
              <th scope="col">Leak speed</th>
              <th scope="col">Remediation</th>
              <th scope="col">State</th>
              <th scope="col" class="num">
                Alerts
              </th>
            </tr>
          </thead>
          <tbody>
            {sorted.map((s) => (
              <tr>
                <td>
                  <a href={href("alerts", { scenario: s.name })}>{s.name}</a>
                  <br />
                  <span class="muted">{s.description}</span>
                </td>
                <td>{s.type}</td>
                <td class="num">{s.capacity}</td>
                <td>{s.leakspeed}</td>
                <td>{s.remediation ? "yes" : "no"}</td>
                <td>
                  {[s.origin, s.enabled ? "" : "disabled", s.simulated ? "simulated" : ""]
                    .filter((x) => x !== "")
                    .join(", ")}
                </td>
                <td class="num">
                  {s.alerts + (s.allowlisted > 0 ? ` (${s.allowlisted} allowlisted)` : "")}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </Page>
  );
}

function Table(props: {
  head: readonly string[];
  rows: readonly (readonly (string | number)[])[];
  empty: string;
}) {
  if (props.rows.length === 0) return <p class="muted">{props.empty}</p>;
  return (
    <table>
      <thead>
        <tr>
          {props.head.map((h) => (
            <th scope="col">{h}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {props.rows.map((r) => (
          <tr>
            {r.map((v) => (
              <td class={typeof v === "number" ? "num" : undefined}>{String(v)}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function MetricsPage(props: { ctx: PageCtx; m: Metrics; n: Notifications }) {
  const { m, n } = props;
  return (
    <Page ctx={props.ctx} title="Metrics">
      <p>
        {`Counting since ${when(m.since)}. Prometheus scrapes the same numbers at `}
        <code>/_palisade/v1/metrics</code> (admin or metrics token).
      </p>
      <div class="grid">
        <section class="card">
          <h2>Ingest</h2>
          <Table
            head={["Machine", "Type", "Batches", "Lines", "Parsed", "Unparsed"]}
            rows={m.ingest.map((r) => [
              r.machine,
              r.type,
              r.batches,
              r.lines,
              r.parsed,
              r.unparsed,
            ])}
            empty="Nothing ingested yet."
          />
        </section>
        <section class="card">
          <h2>Decisions</h2>
          <Table
            head={["Origin", "Type", "Made", "Active"]}
            rows={m.decisions.created.map((r) => [
              r.origin,
              r.type,
              r.count,
              m.decisions.active.find((a) => a.origin === r.origin && a.type === r.type)?.count ??
                0,
            ])}
            empty="No decision yet."
          />
        </section>
        <section class="card">
          <h2>Edge</h2>
          <Table
            head={["Outcome", "Requests"]}
            rows={m.edge.map((r) => [r.outcome, r.count])}
            empty="No request counted yet."
          />
        </section>
        <section class="card">
          <h2>Notifications</h2>
          <Table
            head={[
              "Channel",
              "Type",
              "To",
              "Pending",
              "Sent",
              "Alerts",
              "Held back",
              "Failed",
              "Dead",
            ]}
            rows={n.channels.map((ch) => [
              ch.name,
              ch.type,
              ch.target,
              ch.pending,
              ch.sent,
              ch.alerts,
              ch.suppressed,
              ch.failed,
              ch.dead,
            ])}
            empty="No channel (PALISADE_NOTIFICATIONS)."
          />
          {n.errors.map((e) => (
            <p class="notice error">{e}</p>
          ))}
          <h2>Given up on (dead-letter queue)</h2>
          <Table
            head={["When", "Channel", "Tries", "Alerts", "Last error"]}
            rows={n.dead.map((d) => [when(d.at), d.channel, d.attempts, d.alerts, d.error])}
            empty="None."
          />
        </section>
        <section class="card">
          <h2>Bucket overflows</h2>
          <Table
            head={["Scenario", "Alerts", "Allowlisted"]}
            rows={m.overflows.map((r) => [r.scenario, r.count, r.allowlisted])}
            empty="No alert yet."
          />
        </section>
      </div>
    </Page>
  );
}

export function SessionsPage(props: {
  ctx: PageCtx;
  sessions: readonly ConsoleSession[];
  current: string;
}) {
  const { ctx } = props;
  return (
    <Page ctx={ctx} title="Sessions">
      <section class="card">
        <table>
          <thead>
            <tr>
              <th scope="col">Who</th>
              <th scope="col">Via</th>
              <th scope="col">Since</th>
              <th scope="col">Last seen</th>
              <th scope="col">From</th>
              <th scope="col">Revoke</th>
            </tr>
          </thead>
          <tbody>
            {props.sessions.map((s) => (
              <tr>
                <td>
                  {s.who}
                  {s.id === props.current ? <span class="tag">this session</span> : null}
                </td>
                <td>{s.via}</td>
                <td>{when(s.created_at)}</td>
                <td>{when(s.last_seen_at)}</td>
                <td>{`${s.ip ?? "?"} ${s.user_agent ?? ""}`}</td>
                <td>
                  <ActionButton
                    ctx={ctx}
                    action={href(`sessions/${s.id}/revoke`)}
                    label="Revoke"
                    danger
                    aria={`Revoke the session of ${s.who} since ${s.created_at}`}
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </Page>
  );
}
