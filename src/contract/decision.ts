import { z } from "zod";
import { goDurationSchema } from "./duration";

/**
 * Decisions as CrowdSec's Local API serves them to bouncers (`GET /v1/decisions`,
 * `/v1/decisions/stream`), which Palisade serves under `/_palisade/v1/`. `duration` is
 * the time remaining, in Go's full form (`3h59m12.5s`; negative for an expired decision
 * listed as deleted). Shape only: the API helper fills it.
 */

export const lapiDecisionSchema = z.object({
  id: z.number().int().nonnegative(),
  uuid: z.string().min(1),
  /** `crowdsec`-style origin: `palisade`, `cscli`, `CAPI`, `lists`, … */
  origin: z.string().min(1),
  type: z.string().min(1),
  scope: z.string().min(1),
  value: z.string().min(1),
  duration: goDurationSchema,
  scenario: z.string(),
  simulated: z.boolean().optional(),
  /** Absolute expiry; newer LAPIs include it. */
  until: z.iso.datetime({ offset: true }).optional(),
});

/** `GET /v1/decisions`: CrowdSec answers `null`, not `[]`, when there are none. */
export const lapiDecisionListSchema = z.array(lapiDecisionSchema).nullable();

/** `GET /v1/decisions/stream`: each list is `null` when empty, as in CrowdSec. */
export const lapiDecisionStreamSchema = z.object({
  new: z.array(lapiDecisionSchema).nullable(),
  deleted: z.array(lapiDecisionSchema).nullable(),
});

export type LapiDecision = z.infer<typeof lapiDecisionSchema>;
