import type { RouteRegistrar } from "../http/routes";
import { adminAccessRoutes } from "./admin-access";
import { ADMIN_PREFIX, adminAuth } from "./admin-auth";
import { adminBackupRoutes } from "./admin-backup";
import { adminBlocklistRoutes } from "./admin-blocklist";
import { adminCommonsRoutes } from "./admin-commons";
import { adminConsoleRoutes } from "./admin-console";
import { adminContentRoutes } from "./admin-content";
import { adminDeadLetterRoutes } from "./admin-dead-letters";
import { adminDecisionRoutes } from "./admin-decisions";
import { bouncerRoutes } from "./bouncer";
import { json } from "./input";
import { lapiErrors } from "./lapi-errors";
import { metricsRoute } from "./metrics-route";
import { documentedElsewhere, OPENAPI_PATH, openApiDocument } from "./openapi";
import type { RouteDef } from "./route";
import { watcherRoutes } from "./watchers";

export { isAdminRequest } from "./admin-auth";
export { ledgerEdgeMetrics, ledgerKvRepair } from "./edge-metrics";
export type { RouteDef } from "./route";

let document: Record<string, unknown> | undefined;

const openApiRoute: RouteDef = {
  method: "GET",
  path: OPENAPI_PATH,
  operationId: "openapi",
  summary: "This document",
  tag: "meta",
  auth: "none",
  responses: { 200: { description: "OpenAPI 3.1" } },
  handler: () => {
    document ??= openApiDocument([...API_ROUTES, ...documentedElsewhere]);
    return json(document);
  },
};

/** Every route of the API module, in registration order. */
export const API_ROUTES: readonly RouteDef[] = [
  ...bouncerRoutes,
  ...watcherRoutes,
  ...adminDecisionRoutes,
  ...adminConsoleRoutes,
  ...adminAccessRoutes,
  metricsRoute,
  ...adminDeadLetterRoutes,
  ...adminBackupRoutes,
  ...adminBlocklistRoutes,
  ...adminCommonsRoutes,
  ...adminContentRoutes,
  openApiRoute,
];

/**
 * Registers the bouncer and watcher API (CrowdSec LAPI), the admin API and the OpenAPI
 * document on the Worker's app (`createWorker({ routes: [ingestRoutes, apiRoutes] })`).
 * Routes with a `HEAD` entry are served by their `GET` handler (Hono answers HEAD with it).
 */
export const apiRoutes: RouteRegistrar = (app) => {
  app.use("/_palisade/v1/*", lapiErrors);
  app.use(`${ADMIN_PREFIX}/*`, adminAuth);
  for (const r of API_ROUTES) {
    if (r.handler && r.method !== "HEAD") app.on(r.method, r.path, r.handler);
  }
};
