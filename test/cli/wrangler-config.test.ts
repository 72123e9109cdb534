import { describe, expect, it } from "vitest";
import { readWranglerConfig } from "../../src/cli/wrangler-config";
import { isDeadLetterQueue, messageItems, QUEUE_BATCH_MESSAGES } from "../../src/ingest/budget";
import { root } from "./run";

describe("wrangler.toml agrees with the code", () => {
  const cfg = readWranglerConfig(`${root}wrangler.toml`);

  it("the ingest queue delivers what one invocation pours whole, retries, then dead-letters", () => {
    const producer = cfg.queueProducers.find((p) => p.binding === "INGEST_QUEUE");
    const ingest = cfg.queueConsumers.find((c) => c.queue === producer?.queue);
    expect(ingest).toMatchObject({ max_batch_size: QUEUE_BATCH_MESSAGES, max_retries: 5 });
    // A delivery's pours fit the smallest budget allowed, with a Ledger call to spare.
    expect(QUEUE_BATCH_MESSAGES * messageItems(10) + 1).toBeLessThanOrEqual(10);
    expect(QUEUE_BATCH_MESSAGES * messageItems(40) + 1).toBeLessThanOrEqual(40);
    const dlq = ingest?.dead_letter_queue ?? "";
    expect(isDeadLetterQueue(dlq)).toBe(true);
    // The dead-letter queue has a consumer (this Worker), or its messages would sit unseen.
    expect(cfg.queueConsumers.map((c) => c.queue)).toContain(dlq);
  });
});
