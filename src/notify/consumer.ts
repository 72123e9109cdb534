import type { NotifyMessage, NotifyOutcome } from "../contract/notify";
import { ledgerOf } from "../durable/ledger/index";
import type { Env } from "../env";
import { channelsOf } from "./config";
import { notificationRequest } from "./deliver";

/**
 * The notification queue's consumer: each message is one request to its channel. A 2xx
 * acknowledges it; anything else is retried with a growing delay (10 s, 20 s, 40 s, … up
 * to 10 minutes) until the channel's `max_retry`, then the message goes to the
 * dead-letter queue. The queue's own `max_retries` (wrangler.toml) catches a consumer
 * that fails outright. The Ledger hears every outcome (counters; the dead ones are kept
 * for the console), once per batch.
 */

export const NOTIFY_QUEUE_NAME = "palisade-notify";
export const NOTIFY_DLQ_NAME = "palisade-notify-dlq";

type DeadMessage = NotifyMessage & { error?: string; attempts?: number; given_up?: boolean };

export function retryDelaySeconds(attempts: number): number {
  return Math.min(600, 10 * 2 ** Math.max(0, attempts - 1));
}

export async function consumeNotify(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const set = channelsOf(env.PALISADE_NOTIFICATIONS);
  const outcomes: NotifyOutcome[] = [];
  for (const m of batch.messages) {
    const msg = m.body as NotifyMessage;
    const base = {
      channel: msg.channel,
      id: msg.id,
      alerts: msg.alerts.length,
      attempts: m.attempts,
    };
    const c = set.channels.get(msg.channel);
    if (!c) {
      console.error(
        `palisade.notify.unknown_channel: dropped message ${msg.id} for ${msg.channel}`,
      );
      outcomes.push({ ...base, ok: false, dead: true, error: "channel no longer configured" });
      m.ack();
      continue;
    }
    const error = await deliver(c, msg);
    if (error === undefined) {
      outcomes.push({ ...base, ok: true, dead: false });
      m.ack();
    } else if (m.attempts > c.maxRetry) {
      console.error(
        `palisade.notify.dead: ${msg.channel} ${msg.id} after ${m.attempts} tries: ${error}`,
      );
      outcomes.push({ ...base, ok: false, dead: true, error });
      await giveUp(env, { ...msg, error, attempts: m.attempts, given_up: true });
      m.ack();
    } else {
      console.warn(`palisade.notify.retry: ${msg.channel} ${msg.id} try ${m.attempts}: ${error}`);
      outcomes.push({ ...base, ok: false, dead: false, error });
      m.retry({ delaySeconds: retryDelaySeconds(m.attempts) });
    }
  }
  await report(env, outcomes);
}

/** The request, or what went wrong (status, network error, timeout). */
async function deliver(c: Parameters<typeof notificationRequest>[0], msg: NotifyMessage) {
  try {
    const req = await notificationRequest(c, msg, Math.floor(Date.now() / 1000));
    const res = await fetch(req, { signal: AbortSignal.timeout(c.timeoutMs) });
    await res.body?.cancel();
    return res.ok ? undefined : `HTTP ${res.status}`;
  } catch (e) {
    return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  }
}

async function giveUp(env: Env, dead: DeadMessage): Promise<void> {
  if (!env.NOTIFY_DLQ) return;
  try {
    await env.NOTIFY_DLQ.send(dead);
  } catch (e) {
    console.error(`palisade.notify.dlq_failed: ${String(e)}`);
  }
}

/**
 * The dead-letter queue's consumer: messages the queue itself gave up on (the consumer
 * kept failing) are recorded as dead; those this consumer sent there already were.
 */
export async function consumeNotifyDead(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const outcomes: NotifyOutcome[] = [];
  for (const m of batch.messages) {
    const msg = m.body as DeadMessage;
    if (!msg.given_up) {
      outcomes.push({
        channel: msg.channel,
        id: msg.id,
        alerts: msg.alerts?.length ?? 0,
        ok: false,
        dead: true,
        attempts: msg.attempts ?? 0,
        error: "the queue gave up on it (its consumer kept failing)",
      });
    }
    m.ack();
  }
  await report(env, outcomes);
}

async function report(env: Env, outcomes: NotifyOutcome[]): Promise<void> {
  if (outcomes.length === 0) return;
  try {
    await ledgerOf(env).notifyOutcomes(outcomes);
  } catch (e) {
    console.error(`palisade.notify.report_failed: ${String(e)}`);
  }
}
