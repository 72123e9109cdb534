import { importReportSchema, ledgerExportSchema } from "../contract/backup";
import { credentialGuard } from "../http/credential-guard";
import { errorResponse as err } from "./admin-errors";
import { type ApiContext, json, ledger, parseBody } from "./input";
import type { RouteDef } from "./route";

/**
 * Admin API: export and import of the Ledger (contract/backup.ts), for backups and for
 * moving to another account. The Ledger's RPC arguments are bounded (32 MiB), so is an
 * import: about 100,000 active decisions.
 */

const ADMIN = "/_palisade/v1/admin";
const MAX_IMPORT_BYTES = 30 * 1024 * 1024;

async function exportLedger(c: ApiContext): Promise<Response> {
  const doc = await ledger(c).exportLedger();
  const day = doc.exported_at.slice(0, 10);
  return json(doc, 200, {
    "Content-Disposition": `attachment; filename="palisade-export-${day}.json"`,
  });
}

async function importLedger(c: ApiContext): Promise<Response> {
  const doc = await parseBody(c, ledgerExportSchema, 422, MAX_IMPORT_BYTES);
  const report = await ledger(c).importLedger(doc);
  credentialGuard.forgetRefused();
  console.log(`palisade.import ${JSON.stringify(report)}`);
  return json(report);
}

const common = { 401: err("No admin token"), 403: err("Wrong admin token") };

export const adminBackupRoutes: RouteDef[] = [
  {
    method: "GET",
    path: `${ADMIN}/export`,
    operationId: "adminExport",
    summary: "Active decisions, the allowlist, bouncers and machines (hashed credentials)",
    tag: "admin",
    auth: "admin",
    responses: { 200: { description: "The export", schema: ledgerExportSchema }, ...common },
    handler: exportLedger,
  },
  {
    method: "POST",
    path: `${ADMIN}/import`,
    operationId: "adminImport",
    summary: "Take an export back (what is already there is skipped); all or nothing",
    tag: "admin",
    auth: "admin",
    body: ledgerExportSchema,
    responses: {
      200: { description: "What was imported and skipped", schema: importReportSchema },
      ...common,
      413: err("Larger than 30 MB"),
      422: err("Not an export (names the field)"),
    },
    handler: importLedger,
  },
];
