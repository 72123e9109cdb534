import { hashToken, sameHash } from "../durable/ledger/index";
import { PalisadeHttpError } from "../http/error";
import { type ApiContext, ledger } from "./input";
import { FREE_PLAN_KV_WRITES, PROMETHEUS_CONTENT_TYPE, renderPrometheus } from "./prometheus";
import type { RouteDef } from "./route";

/**
 * `GET /_palisade/v1/metrics`: Prometheus' scrape. A bearer token: the admin token, or
 * PALISADE_METRICS_TOKEN, which can read this and nothing else (give Prometheus that one).
 */
export const METRICS_PATH = "/_palisade/v1/metrics";

async function authorize(c: ApiContext): Promise<void> {
  const tokens = [c.env.PALISADE_METRICS_TOKEN, c.env.PALISADE_ADMIN_TOKEN].filter(
    (t): t is string => typeof t === "string" && t !== "",
  );
  if (tokens.length === 0) {
    throw new PalisadeHttpError(
      503,
      "metrics_not_configured",
      "Set PALISADE_METRICS_TOKEN (or PALISADE_ADMIN_TOKEN) to read the metrics.",
    );
  }
  const sent = /^Bearer[ \t]+(\S+)\s*$/i.exec(c.req.header("Authorization") ?? "")?.[1];
  if (sent === undefined) {
    throw new PalisadeHttpError(
      401,
      "unauthenticated",
      "Send Authorization: Bearer <PALISADE_METRICS_TOKEN>.",
      {
        path: "headers.authorization",
        headers: { "WWW-Authenticate": 'Bearer realm="palisade-metrics"' },
      },
    );
  }
  const hash = await hashToken(sent);
  let ok = false;
  for (const t of tokens) if (sameHash(hash, await hashToken(t))) ok = true;
  if (!ok) {
    throw new PalisadeHttpError(
      403,
      "forbidden",
      "Neither the metrics token nor the admin token.",
      {
        path: "headers.authorization",
      },
    );
  }
}

export const metricsRoute: RouteDef = {
  method: "GET",
  path: METRICS_PATH,
  operationId: "metrics",
  summary: "Prometheus metrics (text format 0.0.4)",
  description: "Bearer PALISADE_METRICS_TOKEN or the admin token.",
  tag: "meta",
  auth: "admin",
  responses: { 200: { description: "text/plain; version=0.0.4" } },
  handler: async (c) => {
    await authorize(c);
    const budget = Number(c.env.KV_WRITES_PER_DAY ?? FREE_PLAN_KV_WRITES) || FREE_PLAN_KV_WRITES;
    const text = renderPrometheus(await ledger(c).observe(), budget);
    return new Response(text, {
      headers: { "Content-Type": PROMETHEUS_CONTENT_TYPE, "Cache-Control": "no-store" },
    });
  },
};
