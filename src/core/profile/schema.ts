import { z } from "zod";
import { parseDuration } from "../duration";
import { MIN_IPV6_PREFIX } from "../ip";

/**
 * The profiles.yaml document, as CrowdSec's `csconfig.ProfileCfg` (decoded strictly, like
 * CrowdSec does, so a misspelt key is an error rather than a silently ignored line), plus
 * one Palisade key: `ipv6_prefix`.
 */

const goDuration = z.string().refine((s) => (parseDuration(s) ?? 0) > 0, {
  error: (iss) =>
    `duration ${JSON.stringify(iss.input)} is not a positive Go duration; write it like "4h", "30m" or "1h30m"`,
});

const profileDecisionSchema = z.strictObject({
  type: z.string().min(1),
  duration: goDuration.optional(),
  scope: z.string().min(1).optional(),
  /** Appended to the origin: `palisade/<origin>` (CrowdSec: `crowdsec/<origin>`). */
  origin: z.string().min(1).optional(),
  simulated: z.boolean().optional(),
});

export const profileDocumentSchema = z.strictObject({
  name: z.string().min(1).optional(),
  debug: z.boolean().optional(),
  filters: z.array(z.string()).optional(),
  decisions: z.array(profileDecisionSchema).optional(),
  duration_expr: z.string().min(1).optional(),
  on_success: z.enum(["break", "continue"]).optional(),
  // CrowdSec accepts "apply" here too, and it has no effect there either.
  on_failure: z.enum(["break", "continue", "apply"]).optional(),
  on_error: z.enum(["apply", "break", "continue", "ignore"]).optional(),
  notifications: z.array(z.string()).optional(),
  /**
   * Palisade only (CrowdSec's strict decoder rejects it): an `Ip` decision about an IPv6
   * source covers the source's /N network instead, since whoever holds one address of a
   * /64 usually holds all of it. Default 64; 128 keeps single-address decisions.
   */
  ipv6_prefix: z.number().int().min(MIN_IPV6_PREFIX).max(128).optional(),
});

export type ProfileDocument = z.infer<typeof profileDocumentSchema>;
export type ProfileDecisionDocument = z.infer<typeof profileDecisionSchema>;

const PROFILE_KEYS = Object.keys(profileDocumentSchema.shape);
const DECISION_KEYS = Object.keys(profileDecisionSchema.shape);

/** Known keys of the object at `field`, for unknown-key messages. */
export function profileKeysAt(field: readonly PropertyKey[]): readonly string[] {
  return field[0] === "decisions" ? DECISION_KEYS : PROFILE_KEYS;
}
