import { Hono } from "hono";
import { PalisadeHttpError } from "../http/error";
import type { CommonsEnv } from "./env";
import { onCommonsError } from "./http";
import { adminBenchRoutes } from "./routes/admin-bench";
import { adminMemberRoutes } from "./routes/admin-members";
import { adminSafeListRoutes } from "./routes/admin-safelist";
import { reputationRoutes } from "./routes/reputation";
import { signalRoutes } from "./routes/signals";
import { streamRoutes } from "./routes/stream";
import { watcherRoutes } from "./routes/watchers";

export type CommonsApp = Hono<{ Bindings: CommonsEnv; Variables: { member: string } }>;

/**
 * The commons Worker's routes: CrowdSec's Central API at the root (`/v2/…`, what
 * engines call), the reputation lookup and the operator's API (`/v1/…`).
 */
export function createCommonsApp(): CommonsApp {
  const app: CommonsApp = new Hono();
  app.onError(onCommonsError);
  app.get("/", (c) =>
    c.json({
      service: "palisade-commons",
      capi: "CrowdSec Central API v2 at /v2/ (point an engine's online_api_credentials.yaml url here)",
      docs: "src/commons/README.md",
    }),
  );
  watcherRoutes(app);
  signalRoutes(app);
  streamRoutes(app);
  reputationRoutes(app);
  adminMemberRoutes(app);
  adminSafeListRoutes(app);
  adminBenchRoutes(app);
  app.notFound((c) => {
    throw new PalisadeHttpError(
      404,
      "not_found",
      `No commons route ${c.req.method} ${c.req.path}.`,
    );
  });
  return app;
}
