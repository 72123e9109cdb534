import type { LapiAlertOut } from "./lapi-alert";

/**
 * A notification queue message (the Ledger → the `palisade-notify` queue → the Worker's
 * consumer): one group of alerts for one channel, in CrowdSec's alert JSON (without
 * events, to fit a message), and how many alerts the channel's limits left out.
 */
export interface NotifyMessage {
  channel: string;
  /** Unique per message: receivers can drop a redelivered one. */
  id: string;
  alerts: LapiAlertOut[];
  suppressed: number;
  created_at: string;
}

/** What the consumer tells the Ledger about deliveries (counters and the dead list). */
export interface NotifyOutcome {
  channel: string;
  id: string;
  alerts: number;
  ok: boolean;
  /** The message was given up on (max_retry reached, or it came from the dead-letter queue). */
  dead: boolean;
  attempts: number;
  error?: string;
}
