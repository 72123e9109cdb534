/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import type { AdminAlert, AdminAlertDetail, AdminDecision } from "../../contract/admin";
import { ActionButton, Csrf, href, Page, type PageCtx, TypeTag, when } from "../layout";

export interface AlertFilter {
  ip?: string | undefined;
  scenario?: string | undefined;
  since?: string | undefined;
  active?: string | undefined;
}

/** Alerts as table rows: the source links to the alert's evidence, then to its IP's page. */
export function AlertRows(props: { alerts: readonly AdminAlert[] }) {
  return (
    <table>
      <thead>
        <tr>
          <th scope="col">Source</th>
          <th scope="col">Scenario</th>
          <th scope="col">Decisions</th>
          <th scope="col" class="num">
            Events
          </th>
          <th scope="col">Machine</th>
          <th scope="col">When</th>
        </tr>
      </thead>
      <tbody>
        {props.alerts.map((a) => (
          <tr>
            <td>
              <a href={href(`alerts/${a.id}`)}>{a.value}</a>{" "}
              {a.scope === "Ip" ? (
                <a class="muted" href={href(`ip/${a.value}`)} aria-label={`History of ${a.value}`}>
                  (history)
                </a>
              ) : null}
            </td>
            <td>{a.scenario}</td>
            <td>
              {a.allowlisted ? (
                <span class="tag">allowlisted</span>
              ) : (
                <DecisionSummary decisions={a.decisions} />
              )}
            </td>
            <td class="num">{a.events_count}</td>
            <td>{a.machine}</td>
            <td>{when(a.created_at)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function DecisionSummary(props: { decisions: readonly AdminDecision[] }) {
  const active = props.decisions.filter((d) => d.active);
  if (active.length === 0)
    return <span class="muted">{props.decisions.length > 0 ? "ended" : "none"}</span>;
  return (
    <>
      {active.map((d) => (
        <>
          <TypeTag type={d.type} /> <span class="muted">{d.duration}</span>{" "}
        </>
      ))}
    </>
  );
}

export function AlertsPage(props: {
  ctx: PageCtx;
  alerts: readonly AdminAlert[];
  filter: AlertFilter;
  next: number | null;
}) {
  const f = props.filter;
  return (
    <Page ctx={props.ctx} title="Alerts">
      <form class="card row" method="get" action={href("alerts")} aria-label="Filter alerts">
        <label>
          IP or range
          <input name="ip" value={f.ip ?? ""} placeholder="203.0.113.7" />
        </label>
        <label>
          Scenario contains
          <input name="scenario" value={f.scenario ?? ""} placeholder="ssh" />
        </label>
        <label>
          Since
          <select name="since">
            {[
              ["", "any time"],
              ["1h", "1 hour"],
              ["24h", "1 day"],
              ["168h", "1 week"],
            ].map(([v, l]) => (
              <option value={v} selected={(f.since ?? "") === v}>
                {l}
              </option>
            ))}
          </select>
        </label>
        <label>
          Decisions
          <select name="active">
            {[
              ["", "any"],
              ["true", "with an active decision"],
              ["false", "without"],
            ].map(([v, l]) => (
              <option value={v} selected={(f.active ?? "") === v}>
                {l}
              </option>
            ))}
          </select>
        </label>
        <button type="submit">Filter</button>
      </form>
      <section class="card">
        {props.alerts.length === 0 ? (
          <p class="muted">No alert matches.</p>
        ) : (
          <AlertRows alerts={props.alerts} />
        )}
        {props.next !== null ? (
          <p>
            <a href={href("alerts", { ...f, cursor: String(props.next) })}>Older alerts</a>
          </p>
        ) : null}
      </section>
    </Page>
  );
}

const DURATIONS = ["1h", "4h", "24h", "168h", "720h"];

/** Extend (a new, longer decision on the same value) and lift buttons of one decision. */
export function DecisionActions(props: { ctx: PageCtx; d: AdminDecision; back: string }) {
  const { ctx, d } = props;
  if (!d.active) return <span class="muted">{d.deleted_reason ?? "ended"}</span>;
  return (
    <>
      <form class="inline" method="post" action={href(`decisions/${d.id}/extend`)}>
        <Csrf ctx={ctx} />
        <input type="hidden" name="back" value={props.back} />
        <label class="visually-hidden" for={`extend-${d.id}`}>{`Extend decision ${d.id} to`}</label>
        <select id={`extend-${d.id}`} name="duration">
          {DURATIONS.map((x) => (
            <option value={x}>{x}</option>
          ))}
        </select>{" "}
        <button type="submit" class="secondary" aria-label={`Extend decision ${d.id}`}>
          Extend
        </button>
      </form>{" "}
      <ActionButton
        ctx={ctx}
        action={href(`decisions/${d.id}/lift`)}
        label="Lift"
        danger
        fields={{ back: props.back }}
        aria={`Lift decision ${d.id} on ${d.value}`}
      />
    </>
  );
}

export function DecisionRows(props: {
  ctx: PageCtx;
  decisions: readonly AdminDecision[];
  back: string;
}) {
  return (
    <table>
      <thead>
        <tr>
          <th scope="col">ID</th>
          <th scope="col">Type</th>
          <th scope="col">Value</th>
          <th scope="col">Origin</th>
          <th scope="col">Until</th>
          <th scope="col">Left</th>
          <th scope="col">Actions</th>
        </tr>
      </thead>
      <tbody>
        {props.decisions.map((d) => (
          <tr>
            <td>{d.id}</td>
            <td>
              <TypeTag type={d.type} />
            </td>
            <td>{`${d.scope}:${d.value}`}</td>
            <td>{d.origin}</td>
            <td>{when(d.until)}</td>
            <td>{d.active ? d.duration : "—"}</td>
            <td>
              <DecisionActions ctx={props.ctx} d={d} back={props.back} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function AllowForm(props: { ctx: PageCtx; value: string; back: string }) {
  return (
    <form class="row" method="post" action={href("allowlist")}>
      <Csrf ctx={props.ctx} />
      <input type="hidden" name="back" value={props.back} />
      <label>
        Address or range
        <input name="value" value={props.value} required />
      </label>
      <label>
        Reason (required)
        <input name="reason" required minlength={3} placeholder="our monitoring" />
      </label>
      <label>
        For
        <select name="duration">
          <option value="">ever</option>
          {DURATIONS.map((x) => (
            <option value={x}>{x}</option>
          ))}
        </select>
      </label>
      <button type="submit">Allowlist</button>
    </form>
  );
}

function Fields(props: { rows: readonly [string, string | number | null][] }) {
  return (
    <table>
      <tbody>
        {props.rows.map(([k, v]) => (
          <tr>
            <th scope="row">{k}</th>
            <td>{v === null ? "—" : String(v)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function kv(fields: Readonly<Record<string, unknown>>): string {
  return Object.entries(fields)
    .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
    .join("  ");
}

export function AlertPage(props: { ctx: PageCtx; a: AdminAlertDetail }) {
  const { ctx, a } = props;
  const back = `alerts/${a.id}`;
  return (
    <Page ctx={ctx} title={`Alert ${a.id}: ${a.scenario}`}>
      <div class="grid">
        <section class="card">
          <h2>What happened</h2>
          <p>{a.message}</p>
          <Fields
            rows={[
              ["Source", `${a.scope}:${a.value}`],
              ["Events", a.events_count],
              ["From", when(a.start_at)],
              ["To", when(a.stop_at)],
              ["Recorded", when(a.created_at)],
              ["Raised by", a.machine === "palisade" ? "Palisade (its scenarios)" : a.machine],
              ["Allowlisted", a.allowlisted ? `yes: ${a.allowlisted_by ?? ""}` : "no"],
            ]}
          />
          {a.scope === "Ip" ? (
            <p>
              <a href={href(`ip/${a.value}`)}>Everything about {a.value}</a>
            </p>
          ) : null}
        </section>
        <section class="card">
          <h2>The bucket</h2>
          <Fields
            rows={[
              ["Capacity", a.capacity],
              ["Leak speed", a.leakspeed],
              ["Remediation", a.remediation ? "yes" : "no"],
              ["Profile", a.profile],
              ["Labels", kv(a.labels)],
            ]}
          />
        </section>
      </div>
      <section class="card">
        <h2>Decisions</h2>
        {a.decisions.length === 0 ? (
          <p class="muted">None.</p>
        ) : (
          <DecisionRows ctx={ctx} decisions={a.decisions} back={back} />
        )}
        <h2>Allowlist this source</h2>
        <AllowForm ctx={ctx} value={a.value} back={back} />
      </section>
      <section class="card">
        <h2>Where the lines came from</h2>
        {a.origins.length === 0 ? (
          <p class="muted">
            No log lines:{" "}
            {a.machine === "admin" ? "a decision made by hand" : "the alert came without them"}.
          </p>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">Machine</th>
                <th scope="col">Source</th>
                <th scope="col">Labels</th>
                <th scope="col" class="num">
                  Lines
                </th>
              </tr>
            </thead>
            <tbody>
              {a.origins.map((o) => (
                <tr>
                  <td>{o.machine ?? "unknown"}</td>
                  <td>
                    <code>{o.src}</code>
                  </td>
                  <td>
                    <code>{kv(o.labels)}</code>
                  </td>
                  <td class="num">{o.events}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section class="card" aria-labelledby="evidence">
        <h2 id="evidence">
          Evidence: the log lines that triggered it ({a.events.length} kept, oldest first)
        </h2>
        {a.events.length === 0 ? <p class="muted">No event kept.</p> : null}
        <ol>
          {a.events.map((e) => (
            <li>
              <p class="muted">{when(e.time)}</p>
              {e.raw !== null ? <pre class="raw">{e.raw}</pre> : null}
              <details>
                <summary>Parsed fields</summary>
                <pre class="raw">{kv(e.parsed)}</pre>
                <pre class="raw">{kv(e.meta)}</pre>
              </details>
            </li>
          ))}
        </ol>
      </section>
    </Page>
  );
}
