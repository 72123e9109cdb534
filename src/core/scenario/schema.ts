import { z } from "zod";
import { closest } from "../spelling";

/**
 * The CrowdSec scenario document as written in YAML. Like CrowdSec (which decodes
 * strictly), unknown keys are rejected so a misspelt option is not silently ignored.
 */
const durationText = z.union([z.string(), z.number()]);
const version = z.union([z.string(), z.number()]);

const dataSource = z
  .object({
    source_url: z.string().optional(),
    dest_file: z.string(),
    type: z.string().optional(),
    // CrowdSec's regexp cache controls; Palisade compiles each pattern once and ignores them.
    cache: z.boolean().optional(),
    strategy: z.string().optional(),
    size: z.number().optional(),
    ttl: durationText.optional(),
  })
  .strict();

const scope = z
  .object({
    type: z.string().optional(),
    expression: z.string().optional(),
  })
  .strict();

export const rawScenarioSchema = z
  .object({
    type: z.string(),
    name: z.string(),
    description: z.string().optional(),
    filter: z.string(),
    groupby: z.string().optional(),
    distinct: z.string().optional(),
    capacity: z.number().int().optional(),
    leakspeed: durationText.optional(),
    duration: durationText.optional(),
    blackhole: durationText.optional(),
    cache_size: z.number().int().min(0).optional(),
    overflow_filter: z.string().optional(),
    cancel_on: z.string().optional(),
    condition: z.string().optional(),
    scope: scope.optional(),
    labels: z.record(z.string(), z.unknown()).optional(),
    data: z.array(dataSource).optional(),
    reprocess: z.boolean().optional(),
    debug: z.boolean().optional(),
    profiling: z.boolean().optional(),
    simulated: z.boolean().optional(),
    references: z.array(z.string()).optional(),
    format: version.optional(),
    version: version.optional(),
    author: z.string().optional(),
  })
  .strict();

export type RawScenario = z.infer<typeof rawScenarioSchema>;

export const knownFields: readonly string[] = Object.keys(rawScenarioSchema.shape);

/** What each field holds, for diagnostics that say how to fix a wrong value. */
export const fieldHelp: Record<string, string> = {
  type: "the bucket type (leaky, trigger, counter or conditional), e.g. type: leaky",
  name: "the scenario name, e.g. name: me/ssh-bf",
  description: 'a short text, e.g. description: "Detect ssh bruteforce"',
  filter: "an expression selecting events, e.g. filter: evt.Meta.log_type == 'ssh_failed-auth'",
  groupby: "an expression giving the bucket key, e.g. groupby: evt.Meta.source_ip",
  distinct: "an expression whose repeated values are ignored, e.g. distinct: evt.Meta.http_path",
  capacity: "a whole number of events, e.g. capacity: 5",
  leakspeed: "a duration, e.g. leakspeed: 10s",
  duration: "a duration, e.g. duration: 10m",
  blackhole: "a duration, e.g. blackhole: 1m",
  cache_size: "a whole number of events to keep, e.g. cache_size: 10",
  overflow_filter:
    "an expression over queue/signal/leaky, e.g. overflow_filter: len(queue.Queue) > 2",
  cancel_on:
    "an expression that destroys the bucket, e.g. cancel_on: evt.Meta.log_type == 'auth_success'",
  condition: "an expression over queue.Queue, e.g. condition: len(queue.Queue) >= 4",
  scope: "a mapping, e.g. scope: {type: Range, expression: IpToRange(evt.Meta.source_ip, '/24')}",
  labels: "a mapping, e.g. labels: {remediation: true}",
  data: "a list of files, e.g. data: [{dest_file: bad_user_agents.txt, type: string}]",
  dest_file: "the data file name, e.g. dest_file: bad_user_agents.txt",
  references: "a list of URLs",
};

/** How a YAML value reads in a message. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return "nothing";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  if (typeof value === "string") return `the text ${JSON.stringify(value)}`;
  return `${typeof value} ${String(value)}`;
}

/** Closest known field to a misspelt one (edit distance ≤ 2), for "did you mean". */
export function closestField(
  key: string,
  fields: readonly string[] = knownFields,
): string | undefined {
  return closest(key, fields, 2);
}
