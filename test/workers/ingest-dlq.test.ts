import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { deadLetterListSchema, deadLetterReplayedSchema } from "../../src/contract/dead-letters";
import type { PourRequest, PourSummary } from "../../src/durable/tracker/messages";
import type { Env } from "../../src/env";
import { consumeIngest } from "../../src/ingest/index";
import { encodeMessage } from "../../src/ingest/queue-message";
import { admin, adminOk } from "./api-support";
import { batch, ledger, ledgerChanges, log4shellLine, postIngest } from "./ingest-support";

const now = Date.now();

/** Trackers that pour nothing, and throw for the sources in `failing`. */
function stubEnv(failing: Set<string>, vars: Partial<Env> = {}): { env: Env; poured: string[] } {
  const poured: string[] = [];
  const fake = (source: string) => ({
    async pour(req: PourRequest): Promise<PourSummary> {
      if (failing.has(source)) throw new Error(`tracker ${source} is down`);
      poured.push(req.source);
      return { duplicate: false, poured: req.events.length, skipped: 0, alerts: 0, decisions: [] };
    },
  });
  const SOURCES = {
    idFromName: (name: string) => ({ name }),
    get: (id: { name: string }) => fake(id.name),
  } as unknown as Env["SOURCES"];
  return { env: { ...env, ...vars, SOURCES }, poured };
}

function item(source: string): PourRequest {
  return { source, apply: `t:${source}`, events: [] };
}

async function message(id: string, items: PourRequest[], attempts = 1) {
  const body = await encodeMessage(items);
  return { id, timestamp: new Date(now), attempts, body: body.slice().buffer };
}

/** Ingest queue messages as the producer writes them, for 30 Log4Shell probers. */
async function producedMessages(): Promise<Uint8Array[]> {
  const sent: Uint8Array[] = [];
  const queue = {
    async sendBatch(messages: Iterable<MessageSendRequest<Uint8Array>>) {
      for (const m of messages) sent.push(m.body);
    },
  } as unknown as Queue;
  const ips = Array.from({ length: 30 }, (_, i) => `198.18.9.${i + 1}`);
  const e: Env = { ...env, SUBREQUEST_BUDGET: "10", INGEST_QUEUE: queue };
  const res = await postIngest(batch(ips.map((ip) => log4shellLine(ip, now))), { env: e });
  expect(res.status).toBe(200);
  expect(sent.length).toBeGreaterThan(0);
  return sent;
}

describe("the ingest queue's retries and dead letters", () => {
  it("acknowledges each message on its own: a failed pour retries only its message, later each time", async () => {
    const { env: e, poured } = stubEnv(new Set(["198.51.100.2"]), { QUEUE_RETRY_S: "10" });
    const messages = [
      await message("a", [item("198.51.100.1")]),
      await message("b", [item("198.51.100.2"), item("198.51.100.3")], 3),
      await message("c", [item("198.51.100.4")]),
    ];
    const mb = createMessageBatch<unknown>("palisade-ingest", messages);
    const retry = vi.spyOn(mb.messages[1] as Message<unknown>, "retry");
    await consumeIngest(mb, e);
    const result = await getQueueResult(mb, createExecutionContext());
    expect(result.explicitAcks.sort()).toEqual(["a", "c"]);
    expect(result.retryMessages.map((r: { msgId: string }) => r.msgId)).toEqual(["b"]);
    // Third attempt: QUEUE_RETRY_S (10 s) doubled twice.
    expect(retry).toHaveBeenCalledWith({ delaySeconds: 40 });
    expect(poured).toEqual(
      expect.arrayContaining(["198.51.100.1", "198.51.100.3", "198.51.100.4"]),
    );
  });

  it("keeps a message it cannot read as a dead letter at once, and pours the rest of the delivery", async () => {
    const { env: e, poured } = stubEnv(new Set());
    const junk = {
      id: "junk-1",
      timestamp: new Date(now),
      attempts: 1,
      body: new TextEncoder().encode("not gzip").buffer,
    };
    const mb = createMessageBatch<unknown>("palisade-ingest", [
      junk,
      await message("ok-1", [item("198.51.100.9")]),
    ]);
    await consumeIngest(mb, e);
    const result = await getQueueResult(mb, createExecutionContext());
    expect(result.explicitAcks.sort()).toEqual(["junk-1", "ok-1"]);
    expect(poured).toEqual(["198.51.100.9"]);
    const { letters } = await ledger().listDeadLetters(100);
    expect(letters.find((l) => l.message_id === "junk-1")).toMatchObject({
      reason: expect.stringMatching(/^unreadable/),
      items: 0,
      bytes: 8,
    });
  });

  it("a message that fails every delivery ends in the dead letters (the real queue, max_retries, then the dead-letter queue)", async () => {
    // A pour request the tracker cannot apply: every delivery fails.
    const poison = await encodeMessage([
      {
        source: "198.51.100.66",
        apply: "poison",
        events: [{ event: null, matches: [] }],
      } as unknown as PourRequest,
    ]);
    await env.INGEST_QUEUE.send(poison, { contentType: "bytes" });
    const letter = await vi.waitFor(
      async () => {
        const { letters } = await ledger().listDeadLetters(100);
        const l = letters.find((x) => x.sources.includes("198.51.100.66"));
        expect(l).toBeDefined();
        return l;
      },
      { timeout: 60_000, interval: 500 },
    );
    expect(letter).toMatchObject({ queue: "palisade-ingest-dlq", items: 1, events: 1 });
    expect(letter?.reason).toMatch(/failed every delivery/);
    const listed = deadLetterListSchema.parse(await adminOk("GET", "/dead-letters"));
    expect(listed.letters.map((l) => l.id)).toContain(letter?.id);
  }, 90_000);

  it("replays dead letters into the ingest queue (their lines are poured) and deletes others", async () => {
    const [good, other] = await producedMessages();
    const letter = (id: string, body: Uint8Array) => ({
      queue: "palisade-ingest-dlq",
      messageId: id,
      enqueued: now,
      attempts: 6,
      reason: "failed every delivery",
      items: 1,
      events: 1,
      sources: [],
      body: body.slice().buffer,
    });
    const [keptId, otherId] = await ledger().storeDeadLetters([
      letter("replay-me", good as Uint8Array),
      letter("delete-me", other as Uint8Array),
    ]);
    const replayed = deadLetterReplayedSchema.parse(
      await adminOk("POST", "/dead-letters/replay", { ids: [keptId, 999_999] }),
    );
    expect(replayed).toEqual({ replayed: 1, ids: [keptId], remaining: 0, missing: [999_999] });
    await vi.waitFor(
      async () => {
        const { added } = await ledgerChanges(0);
        expect(added.some((d) => d.value.startsWith("198.18.9."))).toBe(true);
      },
      { timeout: 20_000, interval: 200 },
    );
    expect(await adminOk("POST", "/dead-letters/delete", { ids: [otherId] })).toEqual({
      deleted: 1,
      ids: [otherId],
    });
    const left = (await ledger().listDeadLetters(100)).letters.map((l) => l.id);
    expect(left).not.toContain(keptId);
    expect(left).not.toContain(otherId);
    expect((await admin("POST", "/dead-letters/replay", { ids: [keptId] })).status).toBe(404);
    expect((await admin("POST", "/dead-letters/replay", {})).status).toBe(422);
  });
});
