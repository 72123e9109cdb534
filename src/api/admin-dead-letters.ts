import { z } from "zod";
import { configOf } from "../config";
import {
  deadLetterDeletedSchema,
  deadLetterListSchema,
  deadLetterReplayedSchema,
  deadLetterSelectSchema,
} from "../contract/dead-letters";
import { PalisadeHttpError } from "../http/error";
import { chunkForSend } from "../ingest/queue-message";
import { errorResponse as err, notFound } from "./admin-errors";
import { type ApiContext, json, ledger, parseBody, parseQuery } from "./input";
import type { RouteDef } from "./route";

/**
 * Admin API: the ingest queue's dead letters (src/ingest/dead-letters.ts). Replay sends
 * them back to the ingest queue as they were, which is safe: each SourceTracker applies a
 * pour request id once, so a letter whose pours half succeeded is not counted twice.
 */

const PATH = "/_palisade/v1/admin/dead-letters";
/** Ledger calls of a replay: read the bodies, forget the letters sent. */
const LEDGER_CALLS = 2;
/** Queue messages are at most 120 KB, a send 240 KB: at least two letters per send. */
const LETTERS_PER_SEND = 2;

const listQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(1000).optional(),
});

async function list(c: ApiContext): Promise<Response> {
  const q = parseQuery(c, listQuerySchema);
  return json(await ledger(c).listDeadLetters(q.limit ?? 100));
}

async function replay(c: ApiContext): Promise<Response> {
  const b = await parseBody(c, deadLetterSelectSchema);
  const sends = configOf(c.env).subrequestBudget - LEDGER_CALLS;
  const l = ledger(c);
  const { letters, selected } = await l.deadLetterBodies(b.ids, sends * LETTERS_PER_SEND);
  const missing = (b.ids ?? []).filter((id) => !selected.includes(id));
  if (b.ids !== undefined && selected.length === 0)
    throw notFound("body.ids", `No dead letter ${b.ids.join(", ")}.`);
  const sent: number[] = [];
  let failure: unknown;
  for (const chunk of chunkForSend(letters, (x) => x.body.byteLength).slice(0, sends)) {
    try {
      await c.env.INGEST_QUEUE.sendBatch(
        chunk.map((x) => ({ body: new Uint8Array(x.body), contentType: "bytes" as const })),
      );
      sent.push(...chunk.map((x) => x.id));
    } catch (e) {
      failure = e;
      break;
    }
  }
  const ids = sent.length > 0 ? await l.removeDeadLetters(sent) : [];
  if (failure !== undefined && ids.length === 0) {
    throw new PalisadeHttpError(
      503,
      "unavailable",
      "The ingest queue refused the letters; retry.",
      {
        headers: { "Retry-After": "5" },
        cause: failure,
      },
    );
  }
  const total =
    b.ids === undefined ? (await l.listDeadLetters(1)).total : selected.length - ids.length;
  for (const id of ids) console.log(`palisade.dlq.replayed id=${id}`);
  return json({ replayed: ids.length, ids, remaining: total, missing });
}

async function remove(c: ApiContext): Promise<Response> {
  const b = await parseBody(c, deadLetterSelectSchema);
  const l = ledger(c);
  const ids = b.ids ?? (await l.listDeadLetters(1000)).letters.map((x) => x.id);
  const deleted = await l.removeDeadLetters(ids);
  if (b.ids !== undefined && deleted.length === 0)
    throw notFound("body.ids", `No dead letter ${b.ids.join(", ")}.`);
  for (const id of deleted) console.log(`palisade.dlq.deleted id=${id}`);
  return json({ deleted: deleted.length, ids: deleted });
}

const common = { 401: err("No admin token"), 403: err("Wrong admin token") };
const bad = err("Bad body (names the field)");

export const adminDeadLetterRoutes: RouteDef[] = [
  {
    method: "GET",
    path: PATH,
    operationId: "adminListDeadLetters",
    summary: "Ingest queue messages that failed every delivery or could not be read",
    tag: "admin",
    auth: "admin",
    query: listQuerySchema,
    responses: { 200: { description: "Oldest first", schema: deadLetterListSchema }, ...common },
    handler: list,
  },
  {
    method: "POST",
    path: `${PATH}/replay`,
    operationId: "adminReplayDeadLetters",
    summary: "Send dead letters back to the ingest queue (and forget them)",
    description:
      "As many as one call's subrequests allow (`remaining` says how many are left); safe to repeat, since each tracker applies a pour request once.",
    tag: "admin",
    auth: "admin",
    body: deadLetterSelectSchema,
    responses: {
      200: { description: "Replayed", schema: deadLetterReplayedSchema },
      ...common,
      404: err("None of the ids exists"),
      422: bad,
      503: err("The queue refused them"),
    },
    handler: replay,
  },
  {
    method: "POST",
    path: `${PATH}/delete`,
    operationId: "adminDeleteDeadLetters",
    summary: "Forget dead letters without replaying them",
    tag: "admin",
    auth: "admin",
    body: deadLetterSelectSchema,
    responses: {
      200: { description: "Deleted", schema: deadLetterDeletedSchema },
      ...common,
      404: err("None of the ids exists"),
      422: bad,
    },
    handler: remove,
  },
];
