import { z } from "zod";

/**
 * What the console's overview reads from the admin API (`GET /admin/stats`,
 * `GET /admin/scenarios`, `GET /admin/allowlist/check`, `/admin/console/sessions`): counts
 * over a window, the pack's scenarios with their hits, an address's allowlist status,
 * console sessions. Fields may be added, never removed or renamed.
 */

const iso = z.iso.datetime({ offset: true });
const count = z.number().int().nonnegative();

/** The overview's windows and the width of their bars. */
export const STATS_WINDOWS = {
  "1h": { spanMs: 3_600_000, stepMs: 5 * 60_000 },
  "24h": { spanMs: 24 * 3_600_000, stepMs: 30 * 60_000 },
  "7d": { spanMs: 7 * 24 * 3_600_000, stepMs: 3 * 3_600_000 },
} as const;
export type StatsWindow = keyof typeof STATS_WINDOWS;

export const statsQuerySchema = z.object({
  window: z.enum(["1h", "24h", "7d"]).default("24h"),
});

export const statsSchema = z.object({
  window: z.enum(["1h", "24h", "7d"]),
  from: iso,
  to: iso,
  step_seconds: z.number().int().positive(),
  /** One bar per step, oldest first: alerts recorded and decisions made in it. */
  buckets: z.array(z.object({ at: iso, alerts: count, decisions: count })),
  totals: z.object({ alerts: count, decisions: count, active_decisions: count }),
  top_scenarios: z.array(z.object({ scenario: z.string(), count })),
  /** Visitors the edge stopped, by `request.cf.country` (when Cloudflare knows it). */
  top_countries: z.array(z.object({ country: z.string(), count })),
  /** Visitors the edge stopped, by `request.cf.asn`. */
  top_asns: z.array(z.object({ asn: z.string(), count })),
  /** Visitor requests by outcome in the window (pass, ban, captcha, throttle, …). */
  edge: z.array(z.object({ outcome: z.string(), count })),
  /** Log lines ingested per machine in the window. */
  lines: z.array(z.object({ machine: z.string(), count })),
});

export const scenarioInfoSchema = z.object({
  name: z.string(),
  description: z.string(),
  /** leaky, trigger, counter, conditional. */
  type: z.string(),
  capacity: z.number().int(),
  /** Go duration. */
  leakspeed: z.string(),
  remediation: z.boolean(),
  labels: z.record(z.string(), z.unknown()),
  /** Alerts it raised since the counters started (allowlisted ones included). */
  alerts: count,
  allowlisted: count,
  /** `builtin`, `installed` at runtime, or `override` (installed under a built-in's name). */
  origin: z.enum(["builtin", "installed", "override"]),
  enabled: z.boolean(),
  /** In simulation: alerts marked simulated, no decisions. */
  simulated: z.boolean(),
  groupby: z.string(),
  /** Content hash: bucket state survives a content version change while it is unchanged. */
  hash: z.string(),
  file: z.string(),
});
export const scenarioListSchema = z.object({
  /** The content version listed (0: the built-in pack alone). */
  version: z.number().int(),
  /** The whole deployment is in simulation (the listed `simulated` says per scenario). */
  simulation_all: z.boolean(),
  scenarios: z.array(scenarioInfoSchema),
});

export const allowCheckQuerySchema = z.object({ ip: z.string().min(1).max(64) });
export const allowCheckSchema = z.object({
  ip: z.string(),
  /** Which list lets it through: the built-in one (private ranges…), the operator's, or none. */
  allowlisted: z.enum(["builtin", "operator"]).nullable(),
  /** The matching entry (`reason (cidr)`), when allowlisted. */
  by: z.string().nullable(),
});

export const consoleSessionSchema = z.object({
  id: z.string(),
  /** Who logged in: an Access identity (email) or `admin token`. */
  who: z.string(),
  /** `access` or `token`. */
  via: z.string(),
  created_at: iso,
  last_seen_at: iso,
  expires_at: iso,
  ip: z.string().nullable(),
  user_agent: z.string().nullable(),
});
export const consoleSessionListSchema = z.object({ sessions: z.array(consoleSessionSchema) });

export const notificationsSchema = z.object({
  /** Channels of PALISADE_NOTIFICATIONS; `target` is the URL's origin only (paths hold secrets). */
  channels: z.array(
    z.object({
      name: z.string(),
      type: z.string(),
      target: z.string(),
      profiles: z.array(z.string()),
      pending: count,
      sent: count,
      alerts: count,
      suppressed: count,
      failed: count,
      dead: count,
    }),
  ),
  /** Channel documents that were left out, and why. */
  errors: z.array(z.string()),
  /** The latest messages given up on (after max_retry, or by the queue). */
  dead: z.array(
    z.object({ channel: z.string(), at: iso, attempts: count, error: z.string(), alerts: count }),
  ),
});

export type Stats = z.infer<typeof statsSchema>;
export type Notifications = z.infer<typeof notificationsSchema>;
export type ScenarioInfo = z.infer<typeof scenarioInfoSchema>;
export type AllowCheck = z.infer<typeof allowCheckSchema>;
export type ConsoleSession = z.infer<typeof consoleSessionSchema>;
