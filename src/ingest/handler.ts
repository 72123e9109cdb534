import { configOf } from "../config";
import type { IngestCounts, IngestResponse } from "../contract/ingest";
import { ledgerOf } from "../durable/ledger/index";
import { packAt } from "../durable/tracker/index";
import type { Env } from "../env";
import { PalisadeHttpError } from "../http/error";
import { authenticate } from "./auth";
import { parserOfBatch, parseStateFor, routeBatch } from "./batch";
import { bodyKind, parseBatch, readBody } from "./body";
import { messageItems } from "./budget";
import { pourAll, sendAll } from "./deliver";
import { planDispatch } from "./dispatch";
import { edgeCoverage } from "./edge-coverage";

/** Ledger calls of a batch besides authentication: its status, its completion. */
const LEDGER_CALLS = 2;

/**
 * `POST /_palisade/v1/ingest`. Every check that can reject the request (token, content
 * type, size, syntax, schema, source type) runs before anything is written; the Ledger
 * says in one call whether the batch id was already completed and which content version
 * (installed scenarios and parsers) is current; then the lines are parsed and
 * routed, the sources poured (directly, or through the queue past the budget), and the
 * batch recorded as completed with its counts.
 */
export async function handleIngest(request: Request, env: Env): Promise<Response> {
  const cfg = configOf(env);
  const caller = await authenticate(request, env);
  const kind = bodyKind(request);
  const batch = parseBatch(await readBody(request, cfg.maxIngestBytes), kind);
  const ledger = ledgerOf(env);
  const id = batch.batch_id;
  const open = await unavailableOnError(() => ledger.batchOpen(caller.machine, id));
  // The content version's pack: compiled once per isolate, its bundle read on first use.
  let reads = 0;
  const pack = await unavailableOnError(() =>
    packAt(cfg.ipv6Prefix, open.content, (v) => {
      reads++;
      return ledger.contentAt(v);
    }),
  );
  const parser = parserOfBatch(batch, pack);
  const done = open.done;
  if (done) return answer({ batch_id: id, ...(done as IngestCounts), duplicate: true });
  const state = parseStateFor(caller.machine, batch);
  const covered = edgeCoverage(cfg.edgeDetection, batch);
  const routed = routeBatch(
    batch,
    parser,
    pack,
    cfg.ipv6Prefix,
    Date.now(),
    state,
    caller.machine,
    covered,
  );
  const avail = cfg.subrequestBudget - caller.ledgerCalls - LEDGER_CALLS - reads;
  const plan = await planDispatch(routed.groups, {
    apply: `${caller.machine}:${id}`,
    content: open.content,
    avail,
    maxItems: messageItems(cfg.subrequestBudget),
  });
  const totals = await unavailableOnError(async () => {
    // Both settle before the answer, so a failed batch has no work left running.
    const [poured, sent] = await Promise.allSettled([
      pourAll(env, plan.direct),
      sendAll(env.INGEST_QUEUE, plan.sends),
    ]);
    if (poured.status === "rejected") throw poured.reason;
    if (sent.status === "rejected") throw sent.reason;
    return poured.value;
  });
  const base = {
    accepted: routed.accepted,
    parsed: routed.parsed,
    unparsed: routed.unparsed,
    filtered: routed.filtered,
    forwarded: plan.forwarded,
    queued: plan.queued,
    sources: routed.groups.length,
    alerts: totals.alerts,
    decisions: totals.decisions,
  };
  if (routed.edgeCovered > 0) coveredNotice(caller.machine, routed.edgeCovered);
  // Present only when some were left to the edge: older shippers' answers stay the same.
  const counts: IngestCounts & Record<string, number> =
    routed.edgeCovered > 0 ? { ...base, edge_covered: routed.edgeCovered } : base;
  const source = { type: batch.source.type };
  await unavailableOnError(() => ledger.completeBatch(caller.machine, id, counts, source));
  return answer({ batch_id: id, ...counts, duplicate: false });
}

const noticed = new Set<string>();

/**
 * Once per machine and isolate: a shipper whose access lines the edge now counts is told
 * how to keep them counted when its host is not behind this Worker.
 */
function coveredNotice(machine: string, lines: number): void {
  if (noticed.has(machine)) return;
  noticed.add(machine);
  console.warn("palisade.ingest.edge_covered", {
    machine,
    lines,
    message: `${lines} http access lines from ${machine} were left to edge detection (their source is labelled edge: "on" and EDGE_DETECTION is on: the Worker sees those requests itself). If that log is of a host this Worker does not front, remove the label in the shipper's config.`,
  });
}

function answer(body: IngestResponse): Response {
  return Response.json(body, { headers: { "Cache-Control": "no-store" } });
}

/**
 * A Durable Object, the Ledger or the queue failing mid-batch: 503, and the shipper
 * retries the whole batch, which is safe (the batch is not marked completed, and each
 * source tracker applies a batch id once).
 */
async function unavailableOnError<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    if (e instanceof PalisadeHttpError) throw e;
    console.error(`palisade.ingest.unavailable: ${e instanceof Error ? e.message : String(e)}`);
    throw new PalisadeHttpError(
      503,
      "unavailable",
      "Palisade could not finish this batch (a Durable Object or the queue failed); retry it, nothing is counted twice.",
      { headers: { "Retry-After": "5" }, cause: e },
    );
  }
}
