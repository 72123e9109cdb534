/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import {
  adminDecisionAddedSchema,
  adminDecisionSchema,
  adminDeletedSchema,
} from "../contract/admin";
import {
  allowAddedSchema,
  bouncerCreatedSchema,
  bouncerListSchema,
  countSchema,
  machineCreatedSchema,
  machineListSchema,
} from "../contract/admin-access";
import type { PalisadeApp } from "../http/routes";
import type { ConsoleApi } from "./api";
import { backPath, doneUrl, pageCtx, stateOf } from "./context";
import { failurePage } from "./errors";
import { CredentialsPage, type Revealed } from "./pages/manage";
import { CONSOLE_BASE, type ConsoleContext } from "./session";

type Api = (c: ConsoleContext) => ConsoleApi;
type Form = Record<string, string | File | (string | File)[]>;

function text(form: Form, key: string): string | undefined {
  const v = form[key];
  return typeof v === "string" && v.trim() !== "" ? v.trim() : undefined;
}

/** The console's POST actions: each calls the admin API, then redirects back (PRG). */
export function consoleActions(app: PalisadeApp, api: Api): void {
  const post = (
    path: string,
    what: string,
    run: (c: ConsoleContext, form: Form) => Promise<Response>,
  ) =>
    app.post(`${CONSOLE_BASE}/${path}`, async (c) => {
      const form = (await c.req.parseBody({ all: true })) as Form;
      try {
        return await run(c, form);
      } catch (e) {
        return failurePage(c, what, e);
      }
    });

  post("decisions", "add the decision", async (c, f) => {
    const scope = text(f, "scope") ?? "Ip";
    const value = text(f, "value") ?? "";
    const body: Record<string, string | undefined> =
      scope === "Ip" ? { ip: value } : scope === "Range" ? { range: value } : { scope, value };
    body.type = text(f, "type");
    body.duration = text(f, "duration");
    body.reason = text(f, "reason");
    await api(c).call("POST", "/decisions", adminDecisionAddedSchema, { body });
    return c.redirect(doneUrl(backPath(f.back, "decisions"), "added"), 303);
  });

  post("decisions/lift", "lift the decisions", async (c, f) => {
    const raw = f.id;
    const ids = (Array.isArray(raw) ? raw : [raw]).filter(
      (x): x is string => typeof x === "string",
    );
    let n = 0;
    for (const id of ids.filter((x) => /^\d{1,15}$/.test(x))) {
      n += (await api(c).call("DELETE", `/decisions/${id}`, adminDeletedSchema)).deleted;
    }
    return c.redirect(doneUrl(backPath(f.back, "decisions"), "lifted", n), 303);
  });

  post("decisions/:id/lift", "lift the decision", async (c, f) => {
    const out = await api(c).call(
      "DELETE",
      `/decisions/${encodeURIComponent(c.req.param("id") ?? "")}`,
      adminDeletedSchema,
    );
    return c.redirect(doneUrl(backPath(f.back, "decisions"), "lifted", out.deleted), 303);
  });

  post("decisions/:id/extend", "extend the decision", async (c, f) => {
    const id = c.req.param("id") ?? "";
    const d = await api(c).get(`/decisions/${encodeURIComponent(id)}`, adminDecisionSchema);
    const body: Record<string, string | undefined> = {
      scope: d.scope,
      value: d.value,
      type: d.type,
    };
    body.duration = text(f, "duration") ?? "4h";
    body.reason = `extended decision ${d.id}: ${d.scenario}`.slice(0, 1024);
    await api(c).call("POST", "/decisions", adminDecisionAddedSchema, { body });
    return c.redirect(doneUrl(backPath(f.back, "decisions"), "extended"), 303);
  });

  post("allowlist", "allowlist the address", async (c, f) => {
    const body = {
      value: text(f, "value"),
      reason: text(f, "reason"),
      duration: text(f, "duration"),
    };
    const out = await api(c).call("POST", "/allowlist", allowAddedSchema, { body });
    return c.redirect(
      doneUrl(backPath(f.back, "allowlist"), "allowlisted", out.lifted.length),
      303,
    );
  });

  post("allowlist/:id/delete", "remove the allowlist entry", async (c) => {
    await api(c).call(
      "DELETE",
      `/allowlist/${encodeURIComponent(c.req.param("id") ?? "")}`,
      adminDeletedSchema,
    );
    return c.redirect(doneUrl(`${CONSOLE_BASE}/allowlist`, "allow_removed"), 303);
  });

  for (const kind of ["bouncer", "machine"] as const) {
    post(`credentials/${kind}s`, `create the ${kind}`, async (c, f) => {
      const body = { name: text(f, "name") ?? "" };
      const schema = kind === "bouncer" ? bouncerCreatedSchema : machineCreatedSchema;
      const out = await api(c).call("POST", `/${kind}s`, schema, { body });
      const secret = "api_key" in out ? out.api_key : out.token;
      return credentialsWith(c, api(c), { kind, name: out.name, secret });
    });
    post(`credentials/${kind}s/:name/delete`, `revoke the ${kind}`, async (c) => {
      await api(c).call(
        "DELETE",
        `/${kind}s/${encodeURIComponent(c.req.param("name") ?? "")}`,
        countSchema,
      );
      return c.redirect(doneUrl(`${CONSOLE_BASE}/credentials`, "revoked"), 303);
    });
  }

  post("sessions/:id/revoke", "revoke the session", async (c) => {
    await api(c).call(
      "DELETE",
      `/console/sessions/${encodeURIComponent(c.req.param("id") ?? "")}`,
      countSchema,
    );
    const mine = stateOf(c).session?.id === (c.req.param("id") ?? "");
    return c.redirect(
      mine ? `${CONSOLE_BASE}/login` : doneUrl(`${CONSOLE_BASE}/sessions`, "revoked"),
      303,
    );
  });
}

/** The new key or token, shown once in the page that answers the POST (never in a URL). */
async function credentialsWith(c: ConsoleContext, api: ConsoleApi, revealed: Revealed) {
  const [b, m] = await Promise.all([
    api.get("/bouncers", bouncerListSchema),
    api.get("/machines", machineListSchema),
  ]);
  return c.html(
    <CredentialsPage
      ctx={pageCtx(c)}
      bouncers={b.bouncers}
      machines={m.machines}
      revealed={revealed}
    />,
    201,
  );
}
