import { formatDuration } from "../../core/duration";
import type { AlertRecord } from "./records";
import type { LedgerDecisionRow } from "./store";

/**
 * One structured line for every alert, decision and decision end, in logfmt, so
 * `wrangler tail` and Workers Logs show what Palisade does and can be filtered on a field:
 *
 *   palisade.alert id=12 scenario=crowdsecurity/ssh-bf source=Ip:203.0.113.7 events=6 machine=web-01
 *   palisade.decision id=40 ip=203.0.113.7 scenario=crowdsecurity/ssh-bf type=ban duration=4h origin=palisade alert=12
 *   palisade.decision.end id=40 ip=203.0.113.7 type=ban reason=expired
 *
 * Every line passes through the Ledger, the one place all of them are recorded (trackers,
 * watchers, the admin API, imports).
 */

type Value = string | number | boolean | null | undefined;

/** `key=value` pairs; a value with a space, a quote or `=` is quoted; empty ones are left out. */
export function logfmt(event: string, fields: Readonly<Record<string, Value>>): string {
  const parts = [event];
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined || v === null || v === "") continue;
    const text = String(v);
    parts.push(`${k}=${/[\s"=]/.test(text) ? JSON.stringify(text) : text}`);
  }
  return parts.join(" ");
}

/** `ip=…` for an Ip decision (what operators grep for), `range=…` for a Range, else scope and value. */
function target(d: { scope: string; value: string }): Record<string, string> {
  if (d.scope === "Ip") return { ip: d.value };
  if (d.scope === "Range") return { range: d.value };
  return { scope: d.scope, value: d.value };
}

/** Go's `4h0m0s` without its zero tail: `4h`, `1h30m`, `45s`. */
function shortDuration(ms: number): string {
  return formatDuration(Math.max(0, ms))
    .replace(/(\D)0m0s$/, "$1")
    .replace(/(\D)0s$/, "$1");
}

export function logAlert(seq: number, a: AlertRecord, machine: string | null): void {
  console.log(
    logfmt("palisade.alert", {
      id: seq,
      scenario: a.scenario,
      source: `${a.source.scope}:${a.source.value}`,
      events: a.events_count,
      machine,
      allowlisted: a.allowlisted ? true : undefined,
    }),
  );
}

export function logDecision(d: LedgerDecisionRow): void {
  console.log(
    logfmt("palisade.decision", {
      id: d.id,
      ...target(d),
      scenario: d.scenario,
      type: d.type,
      duration: shortDuration(d.until - d.start),
      origin: d.origin,
      alert: d.alert_seq,
    }),
  );
}

export function logDecisionEnd(d: LedgerDecisionRow, reason: string): void {
  console.log(logfmt("palisade.decision.end", { id: d.id, ...target(d), type: d.type, reason }));
}

/** Lines of one kind a batch logs one by one before it counts the rest in one line. */
export const LOG_BURST = 20;

/**
 * What one batch logs (an alert's decisions; the decisions one expiry, delete or
 * allowlist change ends): each of its first LOG_BURST decisions and ends of a reason, then
 * one `palisade.decision.more` / `palisade.decision.end.more` line with the count of the
 * rest. A community list or an import of thousands of decisions would otherwise write a
 * line each: Workers Logs keeps 256 KB of an invocation's logs and drops the rest, which
 * would lose the lines after them, and under `wrangler dev` each line is one inspector
 * message (a million of them took its inspector proxy down).
 */
export class ActivityBatch {
  private made = 0;
  /** The alert every decision of the batch came with, or null (none, or several). */
  private alert: number | null | undefined = undefined;
  private readonly ended = new Map<string, number>();

  decision(row: LedgerDecisionRow): void {
    this.made++;
    this.alert = this.alert === undefined || this.alert === row.alert_seq ? row.alert_seq : null;
    if (this.made <= LOG_BURST) logDecision(row);
  }

  end(row: LedgerDecisionRow, reason: string): void {
    const n = (this.ended.get(reason) ?? 0) + 1;
    this.ended.set(reason, n);
    if (n <= LOG_BURST) logDecisionEnd(row, reason);
  }

  /** The count lines of what was not logged one by one. */
  close(): void {
    if (this.made > LOG_BURST) {
      console.log(
        logfmt("palisade.decision.more", { count: this.made - LOG_BURST, alert: this.alert }),
      );
    }
    for (const [reason, n] of this.ended) {
      if (n > LOG_BURST) {
        console.log(logfmt("palisade.decision.end.more", { count: n - LOG_BURST, reason }));
      }
    }
  }
}
