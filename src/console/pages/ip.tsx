/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import type { AdminAlert, AdminDecision } from "../../contract/admin";
import type { AllowCheck } from "../../contract/admin-stats";
import { Page, type PageCtx } from "../layout";
import { AlertRows, AllowForm, DecisionRows } from "./alerts";
import { AddDecisionForm } from "./decisions";

export function IpPage(props: {
  ctx: PageCtx;
  ip: string;
  allow: AllowCheck;
  alerts: readonly AdminAlert[];
  decisions: readonly AdminDecision[];
}) {
  const { ctx, ip, allow } = props;
  const back = `ip/${ip}`;
  return (
    <Page ctx={ctx} title={`Address ${ip}`}>
      <section class="card">
        <h2>Allowlist</h2>
        <p>
          {allow.allowlisted === null
            ? "Not allowlisted: decisions apply to it."
            : `Allowlisted by the ${allow.allowlisted === "builtin" ? "built-in" : "operator"} list: ${allow.by ?? ""}. No decision applies to it at the edge.`}
        </p>
        {allow.allowlisted === null ? <AllowForm ctx={ctx} value={ip} back={back} /> : null}
      </section>
      <section class="card">
        <h2>Decisions ({props.decisions.length})</h2>
        {props.decisions.length === 0 ? (
          <p class="muted">None, active or ended.</p>
        ) : (
          <DecisionRows ctx={ctx} decisions={props.decisions} back={back} />
        )}
        <h2>Add a decision</h2>
        <AddDecisionForm ctx={ctx} value={ip} back={back} />
      </section>
      <section class="card">
        <h2>Alerts ({props.alerts.length})</h2>
        {props.alerts.length === 0 ? (
          <p class="muted">None.</p>
        ) : (
          <AlertRows alerts={props.alerts} />
        )}
      </section>
    </Page>
  );
}
