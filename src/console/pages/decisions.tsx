/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import type { AdminDecision } from "../../contract/admin";
import type { AllowEntry } from "../../contract/admin-access";
import { ActionButton, Csrf, href, Page, type PageCtx, TypeTag, when } from "../layout";
import { AllowForm } from "./alerts";

export function AddDecisionForm(props: { ctx: PageCtx; value?: string; back: string }) {
  return (
    <form class="row" method="post" action={href("decisions")}>
      <Csrf ctx={props.ctx} />
      <input type="hidden" name="back" value={props.back} />
      <label>
        IP, range, country or AS
        <input name="value" value={props.value ?? ""} required placeholder="203.0.113.7" />
      </label>
      <label>
        Scope
        <select name="scope">
          {["Ip", "Range", "Country", "AS"].map((s) => (
            <option value={s}>{s}</option>
          ))}
        </select>
      </label>
      <label>
        Type
        <select name="type">
          {["ban", "captcha", "throttle"].map((t) => (
            <option value={t}>{t}</option>
          ))}
        </select>
      </label>
      <label>
        Duration
        <input name="duration" value="4h" required size={6} />
      </label>
      <label>
        Reason
        <input name="reason" placeholder="manual ban" />
      </label>
      <button type="submit">Add decision</button>
    </form>
  );
}

export function DecisionsPage(props: {
  ctx: PageCtx;
  decisions: readonly AdminDecision[];
  filter: { value?: string | undefined; scenario?: string | undefined };
  next: number | null;
}) {
  const { ctx } = props;
  return (
    <Page ctx={ctx} title="Decisions">
      <section class="card">
        <h2>Add</h2>
        <AddDecisionForm ctx={ctx} back="decisions" />
      </section>
      <form class="card row" method="get" action={href("decisions")} aria-label="Filter decisions">
        <label>
          IP or range
          <input name="value" value={props.filter.value ?? ""} />
        </label>
        <label>
          Scenario (exact)
          <input name="scenario" value={props.filter.scenario ?? ""} />
        </label>
        <button type="submit">Filter</button>
      </form>
      <section class="card">
        <h2>Active decisions</h2>
        {props.decisions.length === 0 ? (
          <p class="muted">No active decision matches.</p>
        ) : (
          <form method="post" action={href("decisions/lift")}>
            <Csrf ctx={ctx} />
            <table>
              <thead>
                <tr>
                  <th scope="col">Select</th>
                  <th scope="col">ID</th>
                  <th scope="col">Type</th>
                  <th scope="col">Value</th>
                  <th scope="col">Scenario</th>
                  <th scope="col">Origin</th>
                  <th scope="col">Left</th>
                  <th scope="col">Lift</th>
                </tr>
              </thead>
              <tbody>
                {props.decisions.map((d) => (
                  <tr>
                    <td>
                      <input
                        type="checkbox"
                        name="id"
                        value={String(d.id)}
                        aria-label={`Select decision ${d.id} on ${d.value}`}
                      />
                    </td>
                    <td>{d.id}</td>
                    <td>
                      <TypeTag type={d.type} />
                    </td>
                    <td>
                      {d.scope === "Ip" ? (
                        <a href={href(`ip/${d.value}`)}>{d.value}</a>
                      ) : (
                        `${d.scope}:${d.value}`
                      )}
                    </td>
                    <td>
                      {d.alert_id !== null ? (
                        <a href={href(`alerts/${d.alert_id}`)}>{d.scenario}</a>
                      ) : (
                        d.scenario
                      )}
                    </td>
                    <td>{d.origin}</td>
                    <td>{d.duration}</td>
                    <td>
                      <button
                        type="submit"
                        class="danger"
                        formaction={href(`decisions/${d.id}/lift`)}
                        aria-label={`Lift decision ${d.id} on ${d.value}`}
                      >
                        Lift
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            <p>
              <button type="submit" class="danger">
                Lift the selected decisions
              </button>
            </p>
          </form>
        )}
        {props.next !== null ? (
          <p>
            <a href={href("decisions", { ...props.filter, cursor: String(props.next) })}>
              Older decisions
            </a>
          </p>
        ) : null}
      </section>
    </Page>
  );
}

export function AllowlistPage(props: { ctx: PageCtx; entries: readonly AllowEntry[] }) {
  const { ctx } = props;
  return (
    <Page ctx={ctx} title="Allowlist">
      <section class="card">
        <h2>Add</h2>
        <p class="muted">
          Adding an entry lifts the active decisions it covers entirely. Private, loopback and
          link-local ranges are always allowlisted (built in).
        </p>
        <AllowForm ctx={ctx} value="" back="allowlist" />
      </section>
      <section class="card">
        <h2>Entries</h2>
        {props.entries.length === 0 ? (
          <p class="muted">No operator entry.</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">Value</th>
                <th scope="col">Reason</th>
                <th scope="col">Added</th>
                <th scope="col">Expires</th>
                <th scope="col">Remove</th>
              </tr>
            </thead>
            <tbody>
              {props.entries.map((e) => (
                <tr>
                  <td>{e.value}</td>
                  <td>{e.reason}</td>
                  <td>{when(e.created_at)}</td>
                  <td>{e.expires_at ? when(e.expires_at) : "never"}</td>
                  <td>
                    <ActionButton
                      ctx={ctx}
                      action={href(`allowlist/${e.id}/delete`)}
                      label="Remove"
                      danger
                      aria={`Remove ${e.value} from the allowlist`}
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </Page>
  );
}
