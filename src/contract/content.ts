import { z } from "zod";
import { scenarioInfoSchema } from "./admin-stats";

/**
 * Detection content installed at runtime (`palisade scenarios|parsers|profiles …`): what
 * the Ledger stores per version and what the admin API answers. A bundle is the whole
 * operator content of one version; the built-in pack is not in it (it ships with the code).
 */

export const storedScenarioSchema = z.object({
  /** The scenario's `name:` (unique in a bundle; a built-in of the same name is replaced). */
  name: z.string().min(1),
  /** The file it was uploaded from, for diagnostics and `show`. */
  file: z.string(),
  /** Its YAML document, exactly as uploaded. */
  text: z.string(),
});

export const storedParserSchema = z.object({
  /** The acquisition label it reads (`source.type` of ingest batches). */
  type: z.string().min(1),
  file: z.string(),
  text: z.string(),
});

export const contentBundleSchema = z.object({
  scenarios: z.array(storedScenarioSchema),
  parsers: z.array(storedParserSchema),
  /** profiles.yaml text replacing the built-in profiles; absent: the built-in ones. */
  profiles: z.string().optional(),
  /** Data files scenarios name under `data:`, by file name (beside the built-in ones). */
  data: z.record(z.string(), z.string()),
  /** Scenarios (built-in or installed) that do not run. */
  disabled: z.array(z.string()),
  /**
   * CrowdSec's simulation: `all` puts every scenario in simulation except those listed in
   * `scenarios`; otherwise only the listed ones are.
   */
  simulation: z.object({ all: z.boolean(), scenarios: z.array(z.string()) }),
});

export type ContentBundle = z.infer<typeof contentBundleSchema>;
export type StoredScenario = z.infer<typeof storedScenarioSchema>;
export type StoredParser = z.infer<typeof storedParserSchema>;

export const EMPTY_BUNDLE: ContentBundle = {
  scenarios: [],
  parsers: [],
  data: {},
  disabled: [],
  simulation: { all: false, scenarios: [] },
};

/** One uploaded file (scenario YAML, parser YAML, profiles, data). */
export const uploadFileSchema = z.object({
  name: z.string().min(1).max(300),
  text: z.string(),
});

const diagnosticSchema = z.object({
  code: z.string(),
  path: z.string(),
  message: z.string(),
  severity: z.enum(["error", "warning"]),
});

/** A change to the content: every operation of one request applies atomically, or none. */
export const contentChangeSchema = z.object({
  /** The version this change was prepared against; a newer current version answers 409. */
  base: z.number().int().min(0).optional(),
  scenarios: z.array(uploadFileSchema).max(500).optional(),
  parsers: z.array(uploadFileSchema).max(100).optional(),
  data: z.array(uploadFileSchema).max(200).optional(),
  profiles: uploadFileSchema.optional(),
  /** Scenario names to remove (installed ones), or parser types (with `parsers_remove`). */
  remove: z.array(z.string()).optional(),
  parsers_remove: z.array(z.string()).optional(),
  /** `profiles_reset`: back to the built-in profiles. */
  profiles_reset: z.boolean().optional(),
  enable: z.array(z.string()).optional(),
  disable: z.array(z.string()).optional(),
  simulate: z
    .object({
      /** `true`: in simulation; `false`: out of it. */
      on: z.boolean(),
      /** Scenario names; absent: the whole deployment (`--all`). */
      scenarios: z.array(z.string()).optional(),
    })
    .optional(),
  /** What the change was for, kept in the history (`scenarios add my-rule.yaml`). */
  action: z.string().max(300).optional(),
});

export type ContentChange = z.infer<typeof contentChangeSchema>;

export const contentVersionSchema = z.object({
  version: z.number().int(),
  at: z.string(),
  action: z.string(),
});

export const contentHistorySchema = z.object({
  current: z.number().int(),
  versions: z.array(contentVersionSchema),
});

/** One scenario as `palisade scenarios show` prints it: its listing and its YAML. */
export const scenarioShowSchema = scenarioInfoSchema.extend({ text: z.string() });

export const parserListSchema = z.object({
  version: z.number().int(),
  parsers: z.array(
    z.object({ type: z.string(), origin: z.enum(["builtin", "installed"]), file: z.string() }),
  ),
});

export const profilesShowSchema = z.object({
  version: z.number().int(),
  origin: z.enum(["builtin", "installed"]),
  text: z.string(),
});

export const contentChangedSchema = z.object({
  version: z.number().int(),
  /** The change left the content as it was (no new version). */
  unchanged: z.boolean(),
  warnings: z.array(diagnosticSchema),
});

export const contentRejectedSchema = z.object({
  error: z.object({ code: z.string(), message: z.string(), path: z.string().optional() }),
  diagnostics: z.array(diagnosticSchema).optional(),
});
