import { z } from "zod";
import type { Alert } from "../core/alert";
import { normalizeIp } from "../core/ip";
import type { DecisionResult } from "../core/profile/index";
import { formatCompactDuration, goDurationSchema } from "./duration";

/**
 * One line of `palisade replay` output (DESIGN.md "Contracts"):
 * `{"scenario","source_ip","events_count","start_at","stop_at","decisions":[{"type","scope","value","duration"}]}`
 * plus `"allowlisted":true` for an allowlisted source, which then has no decisions.
 * Fields may be added later, never removed or renamed: consumers ignore unknown keys
 * (these schemas strip them).
 *
 * - `source_ip`: the alert's source IP in canonical form (IPv4-mapped IPv6 as IPv4, IPv6
 *   compressed); for an alert whose source is not an IP (a range, a user name) it is the
 *   source's value.
 * - `start_at`, `stop_at`: ISO-8601 UTC with milliseconds (`2024-05-01T10:00:00.000Z`);
 *   the schema also accepts offsets and no fraction, as other tools (the CrowdSec peer) write.
 * - `decisions[].duration`: the decision's full duration in compact Go form (`4h`,
 *   `1h30m`, `1m30s`), see formatCompactDuration.
 */

const replayDecisionSchema = z.object({
  type: z.string().min(1),
  scope: z.string().min(1),
  value: z.string().min(1),
  duration: goDurationSchema,
});

export const replayLineSchema = z
  .object({
    scenario: z.string().min(1),
    source_ip: z.string().min(1),
    events_count: z.number().int().nonnegative(),
    start_at: z.iso.datetime({ offset: true }),
    stop_at: z.iso.datetime({ offset: true }),
    decisions: z.array(replayDecisionSchema),
    allowlisted: z.literal(true).optional(),
  })
  .refine((l) => !(l.allowlisted && l.decisions.length > 0), {
    error: "an allowlisted alert carries no decisions",
    path: ["decisions"],
  });

export type ReplayLine = z.infer<typeof replayLineSchema>;

/** The replay output object for an alert and what `decide` made of it; the CLI serialises it. */
export function toReplayLine(alert: Alert, result: DecisionResult): ReplayLine {
  const line: ReplayLine = {
    scenario: alert.scenario,
    source_ip: normalizeIp(alert.source.ip ?? alert.source.value) ?? alert.source.value,
    events_count: alert.events_count,
    start_at: new Date(alert.start_at).toISOString(),
    stop_at: new Date(alert.stop_at).toISOString(),
    decisions: result.allowlisted
      ? []
      : result.decisions.map((d) => ({
          type: d.type,
          scope: d.scope,
          value: d.value,
          duration: formatCompactDuration(d.duration),
        })),
  };
  if (result.allowlisted) line.allowlisted = true;
  return line;
}
