import type { LapiAlertOut } from "../../contract/lapi-alert";
import type { NotifyMessage, NotifyOutcome } from "../../contract/notify";
import { type Channel, channelsFor, channelsOf } from "../../notify/config";
import { bump } from "./counters";
import type { AlertRecord } from "./records";
import type { LedgerDecisionRow } from "./store";
import { type AlertRow, lapiAlert } from "./views";

/**
 * Notifications, the Ledger's side: alerts whose profiles name a channel wait in
 * `notify_pending` until the channel's group is due (`group_threshold` alerts, or the
 * oldest waited `group_wait`), then leave as one queue message of at most `max_alerts`,
 * within the channel's `rate_limit` (messages per window). A wave beyond what a channel
 * may send keeps at most 4 × max_alerts waiting and counts the rest, and the next message
 * says how many were left out. Delivery, retries and the dead-letter queue: src/notify.
 */

/** A queue message stays well under the 128 KB limit. */
const MESSAGE_BUDGET = 100_000;

type StateRow = { channel: string; window_start: number; sent: number; omitted: number };

export interface NotifyEnv {
  PALISADE_NOTIFICATIONS?: string | undefined;
  NOTIFY_QUEUE?: Queue | undefined;
}

export class Notifier {
  constructor(
    private readonly sql: SqlStorage,
    private readonly env: NotifyEnv,
  ) {}

  private channels(): Map<string, Channel> {
    return channelsOf(this.env.PALISADE_NOTIFICATIONS).channels;
  }

  /** Queues a recorded alert for the channels its profiles lead to (inside `record`'s transaction). */
  enqueue(a: AlertRecord, seq: number, now: number): void {
    if (a.allowlisted || (!a.notify && !a.profiles)) return;
    const set = channelsOf(this.env.PALISADE_NOTIFICATIONS);
    if (set.channels.size === 0 && !a.notify) return;
    for (const name of channelsFor(set, a.notify ?? [], a.profiles ?? [])) {
      const c = set.channels.get(name) as Channel;
      const waiting = this.count(name);
      if (waiting >= c.maxAlerts * 4) {
        this.state(name, now);
        this.sql.exec("UPDATE notify_state SET omitted = omitted + 1 WHERE channel = ?", name);
        bump(this.sql, "notify.suppressed", name, "", 1, now);
        continue;
      }
      this.sql.exec(
        "INSERT INTO notify_pending (channel, alert_seq, at) VALUES (?, ?, ?)",
        name,
        seq,
        now,
      );
    }
  }

  private count(channel: string): number {
    return Number(
      this.sql
        .exec<{ n: number }>("SELECT COUNT(*) AS n FROM notify_pending WHERE channel = ?", channel)
        .one().n,
    );
  }

  private state(channel: string, now: number): StateRow {
    const row = this.sql
      .exec<StateRow>("SELECT * FROM notify_state WHERE channel = ?", channel)
      .toArray()[0];
    if (row) return row;
    this.sql.exec(
      "INSERT INTO notify_state (channel, window_start, sent, omitted) VALUES (?, ?, 0, 0)",
      channel,
      now,
    );
    return { channel, window_start: now, sent: 0, omitted: 0 };
  }

  /** When the next group is due (or a rate window reopens), for the alarm. */
  nextDue(now: number): number | undefined {
    let at: number | undefined;
    const channels = this.channels();
    for (const r of this.sql
      .exec<{ channel: string; oldest: number; n: number }>(
        "SELECT channel, MIN(at) AS oldest, COUNT(*) AS n FROM notify_pending GROUP BY channel",
      )
      .toArray()) {
      const c = channels.get(r.channel);
      if (!c) continue;
      let due = Number(r.n) >= c.groupThreshold ? now : r.oldest + c.groupWaitMs;
      const st = this.state(r.channel, now);
      if (st.sent >= c.rate.count) due = Math.max(due, st.window_start + c.rate.windowMs);
      at = at === undefined ? due : Math.min(at, due);
    }
    return at;
  }

  /** Sends every due group to the queue; what it could not send stays pending. */
  async flush(now: number): Promise<number> {
    const queue = this.env.NOTIFY_QUEUE;
    let sent = 0;
    for (const [name, c] of this.channels()) {
      const due = this.nextDueOf(name, c, now);
      if (due === undefined || due > now) continue;
      const msg = this.message(name, c, now);
      if (!msg) continue;
      if (!queue) {
        console.error("palisade.notify.no_queue: NOTIFY_QUEUE is not bound; notifications wait");
        return sent;
      }
      await queue.send(msg.body);
      this.sql.exec("DELETE FROM notify_pending WHERE channel = ? AND n <= ?", name, msg.upTo);
      this.sql.exec(
        "UPDATE notify_state SET sent = sent + 1, omitted = omitted - ? WHERE channel = ?",
        msg.body.suppressed,
        name,
      );
      sent++;
    }
    return sent;
  }

  private nextDueOf(name: string, c: Channel, now: number): number | undefined {
    const r = this.sql
      .exec<{ oldest: number | null; n: number }>(
        "SELECT MIN(at) AS oldest, COUNT(*) AS n FROM notify_pending WHERE channel = ?",
        name,
      )
      .one();
    if (r.oldest === null || Number(r.n) === 0) return undefined;
    const st = this.state(name, now);
    if (now - st.window_start >= c.rate.windowMs) {
      this.sql.exec(
        "UPDATE notify_state SET window_start = ?, sent = 0 WHERE channel = ?",
        now,
        name,
      );
    } else if (st.sent >= c.rate.count) return st.window_start + c.rate.windowMs;
    return Number(r.n) >= c.groupThreshold ? now : r.oldest + c.groupWaitMs;
  }

  private message(
    name: string,
    c: Channel,
    now: number,
  ): { body: NotifyMessage; upTo: number } | undefined {
    const rows = this.sql
      .exec<{ n: number; alert_seq: number }>(
        "SELECT n, alert_seq FROM notify_pending WHERE channel = ? ORDER BY n LIMIT ?",
        name,
        c.maxAlerts,
      )
      .toArray();
    const last = rows[rows.length - 1];
    if (!last) return undefined;
    const alerts: LapiAlertOut[] = [];
    let size = 0;
    let upTo = 0;
    for (const r of rows) {
      const a = this.alert(r.alert_seq, now);
      if (a) {
        const bytes = JSON.stringify(a).length;
        if (alerts.length > 0 && size + bytes > MESSAGE_BUDGET) break;
        alerts.push(a);
        size += bytes;
      }
      upTo = r.n;
    }
    const omitted = this.state(name, now).omitted;
    const body: NotifyMessage = {
      channel: name,
      id: crypto.randomUUID(),
      alerts,
      suppressed: omitted,
      created_at: new Date(now).toISOString(),
    };
    return { body, upTo };
  }

  /** CrowdSec's alert JSON with its decisions, without events (they do not fit a message). */
  private alert(seq: number, now: number): LapiAlertOut | undefined {
    const row = this.sql
      .exec<AlertRow>("SELECT seq, created, machine, alert FROM alerts WHERE seq = ?", seq)
      .toArray()[0];
    if (!row) return undefined;
    const decisions = this.sql
      .exec<LedgerDecisionRow>("SELECT * FROM decisions WHERE alert_seq = ? ORDER BY id", seq)
      .toArray();
    return { ...lapiAlert(row, decisions, now), events: null };
  }

  /** The consumer's report: counters, and the messages given up on kept for the operator. */
  outcomes(list: readonly NotifyOutcome[], now: number): void {
    for (const o of list) {
      if (o.ok) {
        bump(this.sql, "notify.sent", o.channel, "", 1, now);
        bump(this.sql, "notify.alerts", o.channel, "", o.alerts, now);
        continue;
      }
      bump(this.sql, "notify.failed", o.channel, "", 1, now);
      if (o.dead) {
        bump(this.sql, "notify.dead", o.channel, "", 1, now);
        this.sql.exec(
          "INSERT INTO notify_dead (channel, at, attempts, error, alerts) VALUES (?, ?, ?, ?, ?)",
          o.channel,
          now,
          o.attempts,
          (o.error ?? "").slice(0, 500),
          String(o.alerts),
        );
      }
    }
    this.sql.exec("DELETE FROM notify_dead WHERE id <= (SELECT MAX(id) FROM notify_dead) - 200");
  }

  dead(): { channel: string; at: number; attempts: number; error: string; alerts: number }[] {
    return this.sql
      .exec<{ channel: string; at: number; attempts: number; error: string; alerts: string }>(
        "SELECT channel, at, attempts, error, alerts FROM notify_dead ORDER BY id DESC LIMIT 50",
      )
      .toArray()
      .map((r) => ({ ...r, alerts: Number(r.alerts) }));
  }
}
