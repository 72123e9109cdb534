/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import {
  adminAlertDetailSchema,
  adminAlertPageSchema,
  adminDecisionPageSchema,
} from "../contract/admin";
import {
  allowListSchema,
  bouncerListSchema,
  machineListSchema,
  metricsSchema,
} from "../contract/admin-access";
import {
  allowCheckSchema,
  consoleSessionListSchema,
  notificationsSchema,
  scenarioListSchema,
  statsSchema,
} from "../contract/admin-stats";
import type { PalisadeApp } from "../http/routes";
import type { ConsoleApi } from "./api";
import { pageCtx, stateOf } from "./context";
import { failurePage } from "./errors";
import { AlertPage, AlertsPage } from "./pages/alerts";
import { AllowlistPage, DecisionsPage } from "./pages/decisions";
import { IpPage } from "./pages/ip";
import { CredentialsPage, MetricsPage, ScenariosPage, SessionsPage } from "./pages/manage";
import { OverviewPage } from "./pages/overview";
import { CONSOLE_BASE, type ConsoleContext } from "./session";

type Api = (c: ConsoleContext) => ConsoleApi;

/** The console's GET pages; each reads the admin API and renders. */
export function consolePages(app: PalisadeApp, api: Api): void {
  const get = (path: string, what: string, render: (c: ConsoleContext) => Promise<Response>) =>
    app.get(`${CONSOLE_BASE}/${path}`, async (c) => {
      try {
        return await render(c);
      } catch (e) {
        return failurePage(c, what, e);
      }
    });

  get("", "show the overview", async (c) => {
    const w = c.req.query("window");
    const window = w === "1h" || w === "7d" ? w : "24h";
    const [stats, recent] = await Promise.all([
      api(c).get("/stats", statsSchema, { window }),
      api(c).get("/alerts", adminAlertPageSchema, { limit: "8" }),
    ]);
    return c.html(<OverviewPage ctx={pageCtx(c)} stats={stats} recent={recent.alerts} />);
  });

  get("alerts", "list the alerts", async (c) => {
    const filter = {
      ip: c.req.query("ip")?.trim() || undefined,
      scenario: c.req.query("scenario")?.trim() || undefined,
      since: c.req.query("since") || undefined,
      active: c.req.query("active") || undefined,
    };
    const ipKey = filter.ip?.includes("/") ? "range" : "ip";
    const page = await api(c).get("/alerts", adminAlertPageSchema, {
      [ipKey]: filter.ip,
      scenario: filter.scenario,
      since: filter.since,
      has_active_decision: filter.active,
      cursor: c.req.query("cursor"),
      limit: "50",
    });
    return c.html(
      <AlertsPage ctx={pageCtx(c)} alerts={page.alerts} filter={filter} next={page.next_cursor} />,
    );
  });

  get("alerts/:id", "show the alert", async (c) => {
    const a = await api(c).get(
      `/alerts/${encodeURIComponent(c.req.param("id") ?? "")}`,
      adminAlertDetailSchema,
    );
    return c.html(<AlertPage ctx={pageCtx(c)} a={a} />);
  });

  get("ip/:ip", "show the address", async (c) => {
    const ip = c.req.param("ip") ?? "";
    const [allow, alerts, decisions] = await Promise.all([
      api(c).get("/allowlist/check", allowCheckSchema, { ip }),
      api(c).get("/alerts", adminAlertPageSchema, { ip, limit: "100" }),
      api(c).get("/decisions", adminDecisionPageSchema, { ip, all: "true", limit: "100" }),
    ]);
    return c.html(
      <IpPage
        ctx={pageCtx(c)}
        ip={allow.ip}
        allow={allow}
        alerts={alerts.alerts}
        decisions={decisions.decisions}
      />,
    );
  });

  get("decisions", "list the decisions", async (c) => {
    const value = c.req.query("value")?.trim() || undefined;
    const filter = { value, scenario: c.req.query("scenario")?.trim() || undefined };
    const page = await api(c).get("/decisions", adminDecisionPageSchema, {
      [value?.includes("/") ? "range" : "ip"]: value,
      scenario: filter.scenario,
      cursor: c.req.query("cursor"),
      limit: "100",
    });
    return c.html(
      <DecisionsPage
        ctx={pageCtx(c)}
        decisions={page.decisions}
        filter={filter}
        next={page.next_cursor}
      />,
    );
  });

  get("allowlist", "list the allowlist", async (c) => {
    const { entries } = await api(c).get("/allowlist", allowListSchema);
    return c.html(<AllowlistPage ctx={pageCtx(c)} entries={entries} />);
  });

  get("credentials", "list bouncers and machines", async (c) => {
    const [b, m] = await Promise.all([
      api(c).get("/bouncers", bouncerListSchema),
      api(c).get("/machines", machineListSchema),
    ]);
    return c.html(<CredentialsPage ctx={pageCtx(c)} bouncers={b.bouncers} machines={m.machines} />);
  });

  get("scenarios", "list the scenarios", async (c) => {
    const { scenarios } = await api(c).get("/scenarios", scenarioListSchema);
    return c.html(<ScenariosPage ctx={pageCtx(c)} scenarios={scenarios} />);
  });

  get("metrics", "show the metrics", async (c) => {
    const [m, n] = await Promise.all([
      api(c).get("/metrics", metricsSchema),
      api(c).get("/notifications", notificationsSchema),
    ]);
    return c.html(<MetricsPage ctx={pageCtx(c)} m={m} n={n} />);
  });

  get("sessions", "list the sessions", async (c) => {
    const { sessions } = await api(c).get("/console/sessions", consoleSessionListSchema);
    return c.html(
      <SessionsPage ctx={pageCtx(c)} sessions={sessions} current={stateOf(c).session?.id ?? ""} />,
    );
  });
}
