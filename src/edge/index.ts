import { apiRoutes, ledgerEdgeMetrics } from "../api/index";
import type { Env } from "../env";
import { consumeIngest, ingestRoutes, ledgerHousekeeping } from "../ingest/index";
import { createEdgeWorker } from "./app";

export { Ledger } from "../durable/ledger";
export { SourceTracker } from "../durable/source-tracker";
export type { Env } from "../env";

// The Worker: Palisade's routes under /_palisade/ (ingest, then the bouncer, watcher and
// admin API plug in through `routes`), enforcement (its outcome counts go to the Ledger),
// then the origin; the ingest queue's consumer; the cron.
const worker = createEdgeWorker({
  routes: [ingestRoutes, apiRoutes],
  palisade: { metrics: ledgerEdgeMetrics },
});

export default {
  fetch: (request, env, ctx) => worker.fetch(request, env, ctx),
  queue: (batch, env) => consumeIngest(batch, env),
  scheduled: (_controller, env) => ledgerHousekeeping(env),
} satisfies ExportedHandler<Env>;
