import { z } from "zod";
import { goDurationSchema } from "./duration";

/**
 * The admin API's allowlist, credentials and metrics (`/_palisade/v1/admin/…`). See
 * admin.ts for decisions and alerts. Secrets (bouncer API keys, machine tokens) are
 * returned once, by the call that creates them; Palisade keeps only their SHA-256.
 */

const iso = z.iso.datetime({ offset: true });
const id = z.number().int().nonnegative();

/** Bouncer and machine names: what `cscli bouncers add NAME` accepts, roughly. */
export const credentialNameSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/, {
  error: "1-64 letters, digits, '.', '_', '@' or '-', starting with a letter or digit",
});

const allowEntrySchema = z.object({
  id,
  /** Canonical CIDR: an IP is stored as its /32 or /128. */
  value: z.string(),
  reason: z.string(),
  created_at: iso,
  expires_at: iso.nullable(),
});

export const allowAddSchema = z
  .object({
    /** An IP (`203.0.113.7`, `2001:db8::1`) or a CIDR (`10.0.0.0/8`). */
    value: z.string().min(1).max(64),
    reason: z.string().min(1).max(1024).optional(),
    /** Expires after this Go duration (`24h`); default never. */
    duration: goDurationSchema.optional(),
    /** Or at this time. */
    expires_at: iso.optional(),
    /** Allow a range wider than IPv4 /8 or IPv6 /32 (refused with 422 `force_required` otherwise). */
    force: z.boolean().optional(),
  })
  .refine((b) => b.duration === undefined || b.expires_at === undefined, {
    error: "give duration or expires_at, not both",
    path: ["expires_at"],
  });

export const allowAddedSchema = z.object({
  entry: allowEntrySchema,
  /** Active decisions the entry lifted (Ip decisions inside it, Range decisions overlapping it). */
  lifted: z.array(id),
});

export const allowListSchema = z.object({ entries: z.array(allowEntrySchema) });

export const allowDeleteQuerySchema = z.object({
  /** The entry's value (an IP or CIDR, canonicalised like on add). */
  value: z.string().min(1).max(64),
});

export const nameBodySchema = z.object({ name: credentialNameSchema });

/**
 * What a machine may do. `watcher`: log in at `/_palisade/v1/watchers/login` (a CrowdSec
 * agent, cscli), push alerts and end the decisions of its own alerts. `ingest`: send log
 * lines to `/_palisade/v1/ingest` (a shipper) and nothing else, so a log server's token
 * can neither lift bans nor make its own.
 */
const MACHINE_ROLES = ["watcher", "ingest"] as const;
export const machineRoleSchema = z.enum(MACHINE_ROLES, {
  error: "watcher (a CrowdSec agent or cscli) or ingest (a shipper)",
});

export const machineAddSchema = z.object({
  name: credentialNameSchema,
  /** Default `watcher`, CrowdSec's meaning of a machine. */
  role: machineRoleSchema.default("watcher"),
});

export const bouncerCreatedSchema = z.object({
  name: z.string(),
  /** Shown once: put it in the bouncer's `api_key`. */
  api_key: z.string(),
  created_at: iso,
});

const bouncerInstanceSchema = z.object({
  /** CF-Connecting-IP of the instance (each instance sharing a key has its own cursor). */
  ip: z.string(),
  last_pull: iso,
  user_agent: z.string().nullable(),
  /** The ledger sequence number this instance has received changes up to. */
  cursor: z.number().int().nonnegative(),
});

const bouncerSchema = z.object({
  name: z.string(),
  created_at: iso,
  last_pull: iso.nullable(),
  user_agent: z.string().nullable(),
  last_ip: z.string().nullable(),
  instances: z.array(bouncerInstanceSchema),
});

export const bouncerListSchema = z.object({ bouncers: z.array(bouncerSchema) });

export const machineCreatedSchema = z.object({
  name: z.string(),
  role: machineRoleSchema,
  /**
   * Shown once. A watcher's password (`machine_id` = name, as in cscli's
   * local_api_credentials.yaml), or an ingest machine's bearer token (the shipper's
   * `token`).
   */
  token: z.string(),
  created_at: iso,
});

const machineSchema = z.object({
  name: z.string(),
  role: machineRoleSchema,
  created_at: iso,
  /** Last watcher login or alert push (ingest does not update it). */
  last_seen: iso.nullable(),
});

export const machineListSchema = z.object({ machines: z.array(machineSchema) });

export const countSchema = z.object({ deleted: z.number().int().nonnegative() });

const counted = { count: z.number().int().nonnegative() };

const kvDay = z.object({ day: z.string(), writes: z.number().int(), deletes: z.number().int() });

export const kvStatusSchema = z.object({
  /** KV_WRITE_BUDGET: writes a UTC day; the allowance starts at `burst` and grows evenly to it. */
  budget: z.object({
    per_day: z.number().int(),
    burst: z.number().int(),
    allowance_now: z.number().int(),
    today: kvDay,
    /** The last 7 UTC days with any spend, newest first. */
    days: z.array(kvDay),
  }),
  epoch: z.number().int(),
  /** Keys the current base is split over (0 before the first compaction). */
  base_parts: z.number().int(),
  base_bytes: z.number().int(),
  deltas: z.number().int(),
  /** Changes waiting for a flush. */
  pending: z.number().int(),
  last_write: iso.nullable(),
  /** When the pending changes are written (null: nothing pending); later when over budget. */
  next_flush: iso.nullable(),
  last_compaction: z
    .object({
      rows: z.number().int(),
      parts: z.number().int(),
      bytes: z.number().int(),
      peak_bytes: z.number().int(),
      at: iso,
    })
    .nullable(),
  /** A key an edge reported it could not read; the next compaction rewrites it. */
  repair: z.string().nullable(),
});
export type KvStatus = z.infer<typeof kvStatusSchema>;

export const metricsSchema = z.object({
  /** When the counters started (the Ledger's first count). */
  since: iso.nullable(),
  /** Lines per machine (the shipper's identity) and source type. */
  ingest: z.array(
    z.object({
      machine: z.string(),
      type: z.string(),
      batches: z.number().int(),
      lines: z.number().int(),
      parsed: z.number().int(),
      unparsed: z.number().int(),
    }),
  ),
  /** Alerts per scenario (bucket overflows and watcher alerts); allowlisted ones included. */
  overflows: z.array(z.object({ scenario: z.string(), allowlisted: z.number().int(), ...counted })),
  decisions: z.object({
    /** Every decision made since the counters started. */
    created: z.array(z.object({ origin: z.string(), type: z.string(), ...counted })),
    /** Active now. */
    active: z.array(z.object({ origin: z.string(), type: z.string(), ...counted })),
  }),
  /**
   * Visitor requests by outcome (`pass`, `ban`, `captcha`, `throttle`, `allowlisted`,
   * `fail_open`, `fail_closed`). Approximate: each isolate counts in memory and reports
   * at most once a minute, on a request; an isolate's last minute is lost if it is evicted.
   */
  edge: z.array(z.object({ outcome: z.string(), ...counted })),
  bouncers: z.array(
    z.object({ name: z.string(), last_pull: iso.nullable(), user_agent: z.string().nullable() }),
  ),
  /** The KV blocklist the Ledger writes, and what it spends of KV's daily quotas. */
  kv: kvStatusSchema.optional(),
});

export type AllowEntry = z.infer<typeof allowEntrySchema>;
export type Bouncer = z.infer<typeof bouncerSchema>;
export type Machine = z.infer<typeof machineSchema>;
export type MachineRole = z.infer<typeof machineRoleSchema>;
export type Metrics = z.infer<typeof metricsSchema>;
