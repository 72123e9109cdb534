import { z } from "zod";
import { contentBundleSchema } from "./content";

/**
 * The Ledger's export (`GET /_palisade/v1/admin/export`, `palisade export`), which
 * `POST /_palisade/v1/admin/import` (`palisade import`) takes back, on the same deployment
 * or another: active decisions, the operator allowlist, bouncers and machines, and the
 * detection content installed at runtime (`palisade scenarios add`, …). Credentials
 * travel as the SHA-256 the Ledger keeps, so the keys and tokens in use keep working and
 * no secret is in the file. Rows carry their table's columns as they are (more may come).
 */

const cell = z.union([z.string(), z.number(), z.null()]);
const row = z.record(z.string(), cell);

export const exportedDecisionSchema = z.object({
  origin: z.string().min(1),
  type: z.string().min(1),
  scope: z.string().min(1),
  value: z.string().min(1),
  scenario: z.string(),
  /** ms since epoch. */
  start: z.number().int(),
  until: z.number().int(),
});

export const ledgerExportSchema = z.object({
  palisade_export: z.literal(1),
  exported_at: z.iso.datetime({ offset: true }),
  decisions: z.array(exportedDecisionSchema),
  allowlist: z.array(row),
  bouncers: z.array(row),
  machines: z.array(row),
  /** The detection content installed at runtime (current version's bundle), when any. */
  content: contentBundleSchema.optional(),
});

export type LedgerExport = z.infer<typeof ledgerExportSchema>;
export type ExportedDecision = z.infer<typeof exportedDecisionSchema>;
export type ExportedRow = z.infer<typeof row>;

const counts = z.object({
  imported: z.number().int().nonnegative(),
  /** Already there (same name, key, value or decision), or a decision already over. */
  skipped: z.number().int().nonnegative(),
});

export const importReportSchema = z.object({
  decisions: counts,
  allowlist: counts,
  bouncers: counts,
  machines: counts,
  /** Installed only where none is installed yet (an operator's content is never replaced). */
  content: counts.optional(),
});

export type ImportReport = z.infer<typeof importReportSchema>;
