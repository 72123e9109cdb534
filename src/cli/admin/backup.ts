import { readFileSync, writeFileSync } from "node:fs";
import { importReportSchema, ledgerExportSchema } from "../../contract/backup";
import { fail } from "../errors";
import { clientFor, outputOf, parseVerb, positionalsOf, print, printJson } from "./command";

export const EXPORT_USAGE = `Usage:
  palisade export [--file FILE]

Writes the Ledger's export as JSON (stdout, or FILE): active decisions, the operator
allowlist, bouncers and machines, with their credentials as the SHA-256 the Worker keeps
(the keys and tokens in use keep working after an import; no secret is in the file).
Alerts and ended decisions are history and stay behind.`;

export const IMPORT_USAGE = `Usage:
  palisade import FILE|- [-o human|json]

Takes an export back, on the same deployment or another: what is already there (a
bouncer or machine of the same name, an allowlisted value, the same live decision) and
decisions already over are skipped; the rest is added at once, or nothing on error.`;

export async function runExport(args: string[]): Promise<void> {
  const { values, positionals } = parseVerb(args, { file: { type: "string" } });
  positionalsOf(positionals, []);
  const doc = await clientFor(values).call(
    { action: "export the Ledger", method: "GET", path: "/export" },
    ledgerExportSchema,
  );
  const text = `${JSON.stringify(doc, null, 2)}\n`;
  if (values.file === undefined) return void process.stdout.write(text);
  writeFileSync(values.file, text, { mode: 0o600 });
  process.stderr.write(
    `palisade export: ${doc.decisions.length} decisions, ${doc.allowlist.length} allowlist entries, ${doc.bouncers.length} bouncers, ${doc.machines.length} machines to ${values.file}\n`,
  );
}

function readExport(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path === "-" ? 0 : path, "utf8");
  } catch (e) {
    return fail(
      `cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? "error"}).`,
      "palisade import reads a file palisade export wrote.",
      "check the path, or pipe it in with -.",
    );
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    return fail(
      `${path} is not JSON.`,
      (e as Error).message,
      "give the file palisade export wrote, unchanged.",
    );
  }
}

export async function runImport(args: string[]): Promise<void> {
  const { values, positionals } = parseVerb(args, {});
  const [path] = positionalsOf(positionals, ["FILE"]);
  const output = outputOf(values.output);
  const doc = ledgerExportSchema.safeParse(readExport(path as string));
  if (!doc.success) {
    const issue = doc.error.issues[0];
    fail(
      `${path} is not a Palisade export.`,
      `${issue?.path.join(".") || "the document"}: ${issue?.message ?? "invalid"}.`,
      "give the file palisade export wrote, unchanged.",
    );
  }
  const report = await clientFor(values).call(
    { action: "import the export", method: "POST", path: "/import", body: doc.data },
    importReportSchema,
  );
  if (output === "json") return printJson(report);
  print(
    Object.entries(report)
      .flatMap(([k, c]) => (c ? [`${k}: ${c.imported} imported, ${c.skipped} skipped`] : []))
      .join("\n"),
  );
}
