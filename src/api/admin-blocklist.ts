import { z } from "zod";
import { kvStatusSchema } from "../contract/admin-access";
import { errorResponse as err } from "./admin-errors";
import { json, ledger } from "./input";
import type { RouteDef } from "./route";

/**
 * Admin API: the KV blocklist the Ledger publishes for the edge. `GET` shows its base,
 * deltas and budget spend (as in the metrics); `POST …/compact` rewrites it as a new base
 * now (after restoring KV, or to see what a compaction costs), still within the KV write
 * budget: `deferred` when the budget cannot pay for it yet.
 */

const ADMIN = "/_palisade/v1/admin";

const compactedSchema = z.object({
  /** `base`: written; `deferred`: over budget, the Ledger writes it when the budget allows. */
  outcome: z.enum(["base", "deferred"]),
  /** How long the compaction took in the Ledger, ms. */
  ms: z.number(),
  blocklist: kvStatusSchema,
});

const common = { 401: err("No admin token"), 403: err("Wrong admin token") };

export const adminBlocklistRoutes: RouteDef[] = [
  {
    method: "GET",
    path: `${ADMIN}/blocklist`,
    operationId: "adminBlocklist",
    summary: "The KV blocklist: base, deltas, pending changes and KV writes spent per day",
    tag: "admin",
    auth: "admin",
    responses: { 200: { description: "Status", schema: kvStatusSchema }, ...common },
    handler: async (c) => json(await ledger(c).kvStatus()),
  },
  {
    method: "POST",
    path: `${ADMIN}/blocklist/compact`,
    operationId: "adminCompactBlocklist",
    summary: "Rewrite the KV blocklist as one new base now (within the KV write budget)",
    tag: "admin",
    auth: "admin",
    responses: { 200: { description: "Done or deferred", schema: compactedSchema }, ...common },
    handler: async (c) => {
      const l = ledger(c);
      const t0 = Date.now();
      const outcome = await l.compactKv();
      const ms = Date.now() - t0;
      return json({
        outcome: outcome === "base" ? "base" : "deferred",
        ms,
        blocklist: await l.kvStatus(),
      });
    },
  },
];
