import { env } from "cloudflare:workers";
import { apiRoutes, ledgerEdgeMetrics, ledgerKvRepair } from "./api/index";
import { createWorker } from "./app";
import { configOf } from "./config";
import type { Env } from "./env";
import { consumeIngest, ingestRoutes, ledgerHousekeeping } from "./ingest/index";

export { Ledger } from "./durable/ledger/index";
export { SourceTracker } from "./durable/tracker/index";
export type { Env } from "./env";

// The Worker's composition root (wrangler.toml `main`): Palisade's routes under
// /_palisade/ (ingest, then the bouncer, watcher and admin API), enforcement (its outcome
// counts, and KV keys it cannot decode, go to the Ledger), then the origin; the ingest
// queue's consumer; the cron.
// Adapters never import this file or each other's composition.
// Every var is checked as the isolate loads, each problem logged once (src/config.ts).
configOf(env);

const worker = createWorker({
  routes: [ingestRoutes, apiRoutes],
  palisade: { metrics: ledgerEdgeMetrics, repair: ledgerKvRepair },
});

export default {
  fetch: (request, env, ctx) => worker.fetch(request, env, ctx),
  queue: (batch, env) => consumeIngest(batch, env),
  scheduled: (_controller, env) => ledgerHousekeeping(env),
} satisfies ExportedHandler<Env>;
