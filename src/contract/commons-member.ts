import { z } from "zod";
import { adminAlertSchema, adminDecisionSchema } from "./admin";
import { allowCheckSchema } from "./admin-stats";
import { reputationSchema } from "./capi-commons";

/**
 * A Palisade deployment as a member of a commons (issue 12), over its own admin API
 * (`/_palisade/v1/admin/commons…`, Bearer PALISADE_ADMIN_TOKEN). The member speaks CAPI to
 * the commons with the shapes of `capi.ts` and `capi-signal.ts`; these are what the
 * operator sees of it.
 */

const time = z.iso.datetime({ offset: true });

/** `POST /_palisade/v1/admin/commons/join`. */
export const commonsJoinSchema = z.strictObject({
  /** The commons' root URL (`https://commons.example.net`). */
  url: z.url({ protocol: /^https?$/, error: "an http(s) URL, like https://commons.example.net" }),
  /** The enrollment key the commons' operator gave (`palisade commons keys add`). */
  key: z.string().min(1, { error: "the enrollment key is empty" }).max(256),
  /** The name this member shows in the commons' member list. */
  name: z.string().max(128).optional(),
});

/** What is shared, each switchable (`palisade commons sharing …`), as CrowdSec's console. */
export const commonsSharingSchema = z.object({
  /** Alerts of detections (the pack's scenarios, agents' alerts): on by default. */
  alerts: z.boolean(),
  /** Decisions made by hand (`palisade decisions add`): off by default. */
  manual: z.boolean(),
  /** The alert's context (request path, user agent): off by default. Never a log line. */
  context: z.boolean(),
});

export const commonsSharingUpdateSchema = commonsSharingSchema.partial().strict();

export const commonsStatusSchema = z.object({
  joined: z.boolean(),
  url: z.string().nullable(),
  machine_id: z.string().nullable(),
  name: z.string().nullable(),
  enrolled_at: time.nullable(),
  sharing: commonsSharingSchema,
  /** False when nothing is shared: as in CrowdSec, the community list is then not pulled. */
  pulling: z.boolean(),
  last_push: time.nullable(),
  last_pull: time.nullable(),
  /** Signals the commons acknowledged, all time. */
  signals_shared: z.number().int(),
  /** Signals waiting for the next push. */
  signals_pending: z.number().int(),
  /** Live decisions of origin CAPI (the community list as applied here). */
  list_size: z.number().int(),
  /** Community decisions left out: deleted here (until relisted), allowlisted, or local. */
  suppressed: z.number().int(),
  cursor: z.number().int().nullable(),
  last_error: z.string().nullable(),
  last_error_at: time.nullable(),
});

/** `POST /_palisade/v1/admin/commons/sync`: what a push and a pull did now. */
export const commonsSyncSchema = z.object({
  pushed: z.number().int(),
  pulled: z.object({ added: z.number().int(), removed: z.number().int() }).nullable(),
  status: commonsStatusSchema,
});

/** `GET /_palisade/v1/admin/ip/{ip}`: what this deployment knows, and the commons' view. */
export const ipViewSchema = z.object({
  ip: z.string(),
  allowlist: allowCheckSchema,
  alerts: z.array(adminAlertSchema),
  decisions: z.array(adminDecisionSchema),
  commons: z.union([
    z.object({ joined: z.literal(false) }),
    z.object({ joined: z.literal(true), reputation: reputationSchema }),
    z.object({ joined: z.literal(true), error: z.string() }),
  ]),
});

export type CommonsJoin = z.infer<typeof commonsJoinSchema>;
export type CommonsSharing = z.infer<typeof commonsSharingSchema>;
export type CommonsSharingUpdate = z.infer<typeof commonsSharingUpdateSchema>;
export type CommonsStatus = z.infer<typeof commonsStatusSchema>;
export type CommonsSync = z.infer<typeof commonsSyncSchema>;
export type IpView = z.infer<typeof ipViewSchema>;
