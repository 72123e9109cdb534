import { describe, expect, it } from "vitest";
import {
  deleteDecisionsQuerySchema,
  lapiDecisionStreamSchema,
  lapiDeleteResponseSchema,
  lapiStreamQuerySchema,
  watcherLoginResponseSchema,
  watcherLoginSchema,
} from "../../src/contract/lapi";
import {
  lapiAlertListSchema,
  lapiAlertOutSchema,
  lapiAlertsCreatedSchema,
  lapiAlertsDeletedSchema,
  lapiAlertsInSchema,
  lapiAlertsQuerySchema,
} from "../../src/contract/lapi-alert";
import { exchanges, queryOf, RECORDED } from "../support/crowdsec-fixtures";

// Palisade's LAPI contract against what the real CrowdSec 1.4.6 tools sent and what the
// real LAPI answered (test/fixtures/crowdsec, recorded by record.mjs): every request the
// tools make parses, and Palisade's output schemas describe CrowdSec's own answers (so a
// field CrowdSec sends and its clients read cannot be left out of them).

function parsed(
  schema: { safeParse(v: unknown): { success: boolean; error?: unknown } },
  v: unknown,
) {
  const r = schema.safeParse(v);
  return r.success ? "ok" : JSON.stringify(r.error);
}

describe("recorded requests of cscli, the agent and the custom bouncer", () => {
  it("logins: cscli's scenarios null and the agent's scenario list", () => {
    const logins = [...RECORDED.cscli, ...RECORDED.agent].filter((e) =>
      e.request.url.startsWith("/v1/watchers/login"),
    );
    expect(logins.map((e) => (e.request.body as { scenarios: unknown }).scenarios)).toContainEqual(
      null,
    );
    for (const e of logins) expect(parsed(watcherLoginSchema, e.request.body)).toBe("ok");
  });

  it("alert pushes: decisions add (Ip, Range), decisions import, the agent's overflows", () => {
    const pushes = [
      ...exchanges("cscli", "POST", "/v1/alerts"),
      ...exchanges("agent", "POST", "/v1/alerts"),
    ];
    expect(pushes.length).toBeGreaterThanOrEqual(5);
    for (const e of pushes) expect(parsed(lapiAlertsInSchema, e.request.body)).toBe("ok");
  });

  it("queries: alert listings and deletes, decision deletes, the bouncer's stream", () => {
    const alertQueries = [
      ...exchanges("cscli", "GET", "/v1/alerts"),
      ...exchanges("cscli", "DELETE", "/v1/alerts"),
    ];
    expect(alertQueries.some((e) => e.request.url.includes("include_capi"))).toBe(true);
    for (const e of alertQueries) {
      expect(parsed(lapiAlertsQuerySchema, queryOf(e.request.url)), e.request.url).toBe("ok");
    }
    for (const e of exchanges("cscli", "DELETE", "/v1/decisions")) {
      expect(parsed(deleteDecisionsQuerySchema, queryOf(e.request.url))).toBe("ok");
    }
    for (const e of RECORDED.customBouncer) {
      expect(parsed(lapiStreamQuerySchema, queryOf(e.request.url))).toBe("ok");
    }
  });
});

describe("Palisade's answer schemas hold CrowdSec's recorded answers", () => {
  const cases = [
    ["login", "POST", /^\/v1\/watchers\/login$/, watcherLoginResponseSchema],
    ["alerts pushed", "POST", /^\/v1\/alerts$/, lapiAlertsCreatedSchema],
    ["alert listings", "GET", /^\/v1\/alerts$/, lapiAlertListSchema],
    ["one alert", "GET", /^\/v1\/alerts\/\d+$/, lapiAlertOutSchema],
    ["decision deletes", "DELETE", /^\/v1\/decisions/, lapiDeleteResponseSchema],
    ["alert deletes", "DELETE", /^\/v1\/alerts/, lapiAlertsDeletedSchema],
  ] as const;
  it.each(cases)("%s", (_, method, path, schema) => {
    const found = [...exchanges("cscli", method, path), ...exchanges("agent", method, path)];
    expect(found.length).toBeGreaterThan(0);
    for (const e of found) expect(parsed(schema, e.response.body), e.request.url).toBe("ok");
  });

  it("the bouncer's stream answers", () => {
    for (const e of RECORDED.customBouncer) {
      expect(parsed(lapiDecisionStreamSchema, e.response.body)).toBe("ok");
    }
  });

  it("requires every key CrowdSec always sends in an alert and its decisions", () => {
    const alert = exchanges("cscli", "GET", /^\/v1\/alerts\/\d+$/)[0]?.response.body as Record<
      string,
      unknown
    >;
    const decision = (alert.decisions as Record<string, unknown>[])[0] ?? {};
    // Each key CrowdSec sent, taken away, makes Palisade's schema refuse the answer.
    for (const key of Object.keys(alert)) {
      const { [key]: _, ...without } = alert;
      expect(lapiAlertOutSchema.safeParse(without).success, key).toBe(false);
    }
    for (const key of ["simulated", "type", "scope", "value", "origin", "scenario", "duration"]) {
      const { [key]: _, ...without } = decision;
      const a = { ...alert, decisions: [without] };
      expect(lapiAlertOutSchema.safeParse(a).success, `decisions[].${key}`).toBe(false);
    }
  });
});
