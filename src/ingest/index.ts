import { ledgerOf } from "../durable/ledger/index";
import type { Env } from "../env";
import { PalisadeHttpError } from "../http/error";
import type { RouteRegistrar } from "../http/routes";
import { handleIngest } from "./handler";

export { isDeadLetterQueue } from "./budget";
export { consumeDeadLetters } from "./dead-letters";
export { EDGE_ORIGIN, EdgeFeed, type EdgeFeedOptions, type EdgeFeedStats } from "./edge-feed";
export { handleIngest } from "./handler";
export { consumeIngest } from "./queue";

/** The ingest route, under the Worker's `/_palisade/` surface. */
export const INGEST_PATH = "/_palisade/v1/ingest";

/** Registers `POST /_palisade/v1/ingest` on the Worker's app (`createApp({ routes })`). */
export const ingestRoutes: RouteRegistrar = (app) => {
  app.post(INGEST_PATH, (c) => handleIngest(c.req.raw, c.env));
  app.all(INGEST_PATH, () => {
    throw new PalisadeHttpError(405, "method_not_allowed", `${INGEST_PATH} takes a POST.`, {
      headers: { Allow: "POST" },
    });
  });
};

/**
 * The cron (every minute): the Ledger's housekeeping (expire decisions whose tracker
 * alarm was missed, flush and compact the KV blocklist, collect superseded keys).
 */
export async function ledgerHousekeeping(env: Env): Promise<void> {
  const report = await ledgerOf(env).housekeeping();
  if (
    report.expired > 0 ||
    report.compacted ||
    report.retained.alerts + report.retained.decisions > 0
  ) {
    console.log(`palisade.ledger.housekeeping: ${JSON.stringify(report)}`);
  }
}
