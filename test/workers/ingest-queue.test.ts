import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { ingestResponseSchema } from "../../src/contract/ingest";
import type { PourRequest, PourSummary } from "../../src/durable/tracker/messages";
import type { Env } from "../../src/env";
import { consumeIngest } from "../../src/ingest/index";
import { accessLine, batch, ledgerChanges, log4shellLine, postIngest } from "./ingest-support";

const now = Date.now();

/**
 * The Worker's env with a subrequest counter on every binding ingest calls out through
 * (trackers, the Ledger, the queue) and a queue that records what is sent to it.
 */
function countingEnv(budget: number, poured?: PourRequest[]) {
  const counter = { calls: 0 };
  const sent: Uint8Array[] = [];
  // With `poured`, trackers are stand-ins that record their requests (no Durable Object).
  const fake = {
    async pour(req: PourRequest): Promise<PourSummary> {
      poured?.push(req);
      return { duplicate: false, poured: req.events.length, skipped: 0, alerts: 0, decisions: [] };
    },
  };
  const counted = <
    T extends { idFromName(name: string): DurableObjectId; get(id: DurableObjectId): unknown },
  >(
    ns: T,
    stub = false,
  ): T =>
    ({
      idFromName: (name: string) => ns.idFromName(name),
      get: (id: DurableObjectId) => {
        counter.calls++;
        return stub ? fake : ns.get(id);
      },
    }) as unknown as T;
  const queue = {
    async send() {
      throw new Error("ingest sends batches");
    },
    async sendBatch(messages: Iterable<MessageSendRequest<Uint8Array>>) {
      counter.calls++;
      for (const m of messages) sent.push(m.body);
    },
  } as unknown as Queue;
  const e: Env = {
    ...env,
    SUBREQUEST_BUDGET: String(budget),
    SOURCES: counted(env.SOURCES, poured !== undefined),
    LEDGER: counted(env.LEDGER),
    INGEST_QUEUE: queue,
  };
  return { env: e, counter, sent };
}

/** Runs the consumer over everything queued, ten messages per invocation as configured. */
async function drain(
  budget: number,
  queued: Uint8Array[],
  poured?: PourRequest[],
): Promise<number[]> {
  const perInvocation: number[] = [];
  let pending = queued;
  let n = 0;
  while (pending.length > 0) {
    const { env: e, counter, sent } = countingEnv(budget, poured);
    // Delivered as the runtime delivers `bytes` messages: an ArrayBuffer.
    const messages = pending.slice(0, 10).map((body) => ({
      id: `m${n++}`,
      timestamp: new Date(),
      attempts: 1,
      body: body.slice().buffer,
    }));
    const mb = createMessageBatch<unknown>("palisade-ingest", messages);
    await consumeIngest(mb, e);
    const result = await getQueueResult(mb, createExecutionContext());
    expect(result.retryMessages).toEqual([]);
    expect(new Set(result.explicitAcks)).toEqual(new Set(messages.map((m) => m.id)));
    perInvocation.push(counter.calls);
    pending = [...pending.slice(10), ...sent];
    expect(sent.every((b) => b instanceof Uint8Array)).toBe(true);
  }
  return perInvocation;
}

describe("ingest past the subrequest budget", () => {
  it("pours what fits, queues the rest, and the consumer finishes it within budget", async () => {
    const ips = Array.from({ length: 30 }, (_, i) => `198.18.0.${i + 1}`);
    const { env: e, counter, sent } = countingEnv(10);
    const res = await postIngest(batch(ips.map((ip) => log4shellLine(ip, now))), { env: e });
    expect(res.status).toBe(200);
    const body = ingestResponseSchema.parse(await res.json());
    expect(body.sources).toBe(30);
    expect(body.forwarded + body.queued).toBe(30);
    expect(body.queued).toBeGreaterThan(0);
    expect(body.decisions).toBe(body.forwarded);
    expect(counter.calls).toBeLessThanOrEqual(10);
    const calls = await drain(10, sent);
    for (const c of calls) expect(c).toBeLessThanOrEqual(10);
    const { added } = await ledgerChanges(0);
    const banned = new Set(added.filter((d) => d.type === "ban").map((d) => d.value));
    for (const ip of ips) expect(banned.has(ip), ip).toBe(true);
    expect(added.filter((d) => ips.includes(d.value))).toHaveLength(30);
  });

  it("drops nothing with thousands of distinct sources", async () => {
    const ips = Array.from({ length: 5_000 }, (_, i) => `100.${(i >> 8) + 1}.${i & 255}.9`);
    const lines = ips.map((ip, i) => accessLine(ip, now + i, `/missing-${i}.php`, 404));
    lines.push(...ips.slice(0, 50).map((ip, i) => accessLine(ip, now + 9_000 + i, "/x", 404)));
    const poured: PourRequest[] = [];
    const { env: e, counter, sent } = countingEnv(40, poured);
    const body = ingestResponseSchema.parse(
      await (await postIngest(batch(lines), { env: e })).json(),
    );
    expect(body).toMatchObject({ sources: 5_000, parsed: 5_050 });
    expect(body.forwarded + body.queued).toBe(5_050);
    expect(counter.calls).toBeLessThanOrEqual(40);
    const calls = await drain(40, sent, poured);
    for (const c of calls) expect(c).toBeLessThanOrEqual(40);
    // Every event reached its source's tracker exactly once, in one request per source.
    const bySource = new Map<string, string[]>();
    for (const r of poured) {
      expect(bySource.has(r.source), r.source).toBe(false);
      bySource.set(
        r.source,
        r.events.map((x) => x.event.Meta.http_path ?? ""),
      );
    }
    expect(bySource.size).toBe(5_000);
    expect(bySource.get(ips[0] as string)).toEqual(["/missing-0.php", "/x"]);
    expect(bySource.get(ips[4_999] as string)).toEqual(["/missing-4999.php"]);
  }, 60_000);

  it("a retried half-processed batch counts nothing twice", async () => {
    const ips = Array.from({ length: 12 }, (_, i) => `198.18.1.${i + 1}`);
    const b = batch(ips.map((ip) => log4shellLine(ip, now)));
    // First attempt: the direct pours happen, then the queue fails: 503, batch not completed.
    const first = countingEnv(10);
    first.env.INGEST_QUEUE = {
      sendBatch: async () => {
        throw new Error("queue down");
      },
    } as unknown as Queue;
    const failed = await postIngest(b, { env: first.env });
    expect(failed.status).toBe(503);
    expect(failed.headers.get("Retry-After")).not.toBeNull();
    const poured = (await ledgerChanges(0)).added.filter((d) => ips.includes(d.value));
    expect(poured.length).toBeGreaterThan(0);
    expect(poured.length).toBeLessThan(12);
    // The shipper retries the same batch id.
    const retry = countingEnv(10);
    const again = ingestResponseSchema.parse(
      await (await postIngest(b, { env: retry.env })).json(),
    );
    expect(again).toMatchObject({ duplicate: false, sources: 12 });
    await drain(10, retry.sent);
    const { added } = await ledgerChanges(0);
    expect(added.filter((d) => ips.includes(d.value))).toHaveLength(12);
  });

  it("the Worker's own queue consumer finishes a batch past the budget", async () => {
    const ips = Array.from({ length: 15 }, (_, i) => `198.18.2.${i + 1}`);
    // Real bindings (the local queue delivers to this Worker's queue()), a small budget.
    const e: Env = { ...env, SUBREQUEST_BUDGET: "10" };
    const body = ingestResponseSchema.parse(
      await (await postIngest(batch(ips.map((ip) => log4shellLine(ip, now))), { env: e })).json(),
    );
    expect(body.queued).toBeGreaterThan(0);
    await vi.waitFor(
      async () => {
        const { added } = await ledgerChanges(0);
        expect(added.filter((d) => ips.includes(d.value))).toHaveLength(15);
      },
      { timeout: 15_000, interval: 200 },
    );
  }, 30_000);
});
