import { z } from "zod";
import type { Alert } from "./alert";
import {
  type ConfigDocument,
  type ConfigFile,
  compileField,
  issuesToDiagnostics,
  lineSuffix,
  quote,
  readDocuments,
} from "./config-file";
import type { DataStore } from "./data";
import { type Diagnostic, error, type Result, warning } from "./diagnostic";
import type { CompiledExpr } from "./expr";
import { type Cidr, IpRangeIndex, normalizeIp, parseCidr, parseIp } from "./ip";
import { alertView, evtEnvs, holdsForEvery } from "./profile/env";

/**
 * Sources that never get a decision. Two file formats, any number of documents each:
 * Palisade's (`allowlist:` entries, `defaults: false` to drop the built-in list) and
 * CrowdSec's whitelist parsers (`whitelist: {reason, ip, cidr, expression}`, optional
 * `filter`), since operators bring those. Networks are indexed (binary search), so ten
 * thousand entries cost a lookup what twenty do.
 */

export interface AllowlistEntry {
  reason: string;
  /** Canonical CIDR (`10.0.0.0/8`, `::1/128`) or the expression's source. */
  match: string;
  /** `file#document` where the entry is defined. */
  path: string;
}

export interface Allowlist {
  /** Networks plus expressions. */
  readonly size: number;
  /** The most specific entry containing the IP. */
  lookupIp(ip: string): AllowlistEntry | undefined;
  /** An entry sharing an address with the network (so deciding on it would hit an allowed IP). */
  lookupRange(cidr: string): AllowlistEntry | undefined;
  /** Whether an alert's source is allowed: by its IP or range, then by expressions. */
  matchAlert(alert: Alert, warnings?: Diagnostic[]): AllowlistEntry | undefined;
}

export interface LoadAllowlistOptions {
  /** The built-in defaults (hub/allowlist.yaml); dropped when an operator file says `defaults: false`. */
  builtin?: ConfigFile;
  /** Data files for `File()` in CrowdSec whitelist expressions. */
  data?: DataStore;
}

const entrySchema = z.union([
  z.string(),
  z.strictObject({
    ip: z.string().optional(),
    cidr: z.string().optional(),
    reason: z.string().optional(),
  }),
]);
const palisadeSchema = z.strictObject({
  name: z.string().optional(),
  description: z.string().optional(),
  defaults: z.boolean().optional(),
  reason: z.string().optional(),
  // Entries are checked one by one, so one bad entry does not hide the others' problems.
  allowlist: z.array(z.unknown()).optional(),
});
const crowdsecSchema = z.strictObject({
  name: z.string().optional(),
  description: z.string().optional(),
  author: z.string().optional(),
  references: z.array(z.string()).optional(),
  format: z.number().optional(),
  debug: z.boolean().optional(),
  onsuccess: z.string().optional(),
  filter: z.string().optional(),
  data: z.array(z.unknown()).optional(),
  whitelist: z.strictObject({
    reason: z.string().optional(),
    ip: z.array(z.string()).optional(),
    cidr: z.array(z.string()).optional(),
    expression: z.array(z.string()).optional(),
  }),
});

interface Group {
  /** CrowdSec's node `filter`: the group applies only where it holds. */
  filter?: CompiledExpr;
  networks: { cidr: Cidr; value: AllowlistEntry }[];
  expressions: { expr: CompiledExpr; entry: AllowlistEntry }[];
}

interface Loaded {
  groups: Group[];
  dropDefaults: boolean;
}

export function loadAllowlist(
  files: readonly ConfigFile[],
  options: LoadAllowlistOptions = {},
): Result<Allowlist> {
  const diags: Diagnostic[] = [];
  const own = loadFiles(files, options, diags);
  const builtin =
    options.builtin && !own.dropDefaults ? loadFiles([options.builtin], options, diags) : undefined;
  const errors = diags.filter((d) => d.severity === "error");
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    // Operator entries first: for a network listed in both, the operator's reason is the one shown.
    value: buildAllowlist([...own.groups, ...(builtin?.groups ?? [])]),
    warnings: diags,
  };
}

function loadFiles(
  files: readonly ConfigFile[],
  options: LoadAllowlistOptions,
  diags: Diagnostic[],
): Loaded {
  const out: Loaded = { groups: [], dropDefaults: false };
  for (const file of files) {
    for (const doc of readDocuments(file, "allowlist.yaml", diags)) {
      const value = doc.value;
      if (typeof value === "object" && value !== null && "whitelist" in value) {
        const g = crowdsecGroup(doc, options, diags);
        if (g) out.groups.push(g);
        continue;
      }
      const parsed = palisadeSchema.safeParse(doc.value);
      if (!parsed.success) {
        diags.push(...issuesToDiagnostics(parsed.error.issues, doc, "allowlist", palisadeKeys));
        continue;
      }
      if (parsed.data.defaults === false) out.dropDefaults = true;
      const networks = (parsed.data.allowlist ?? []).flatMap(
        (e, i) => palisadeEntry(e, parsed.data.reason, doc, i, diags) ?? [],
      );
      out.groups.push({ networks, expressions: [] });
    }
  }
  return out;
}

function palisadeKeys(field: readonly PropertyKey[]): readonly string[] {
  return field.length > 0 ? ["ip", "cidr", "reason"] : Object.keys(palisadeSchema.shape);
}

function palisadeEntry(
  raw: unknown,
  fileReason: string | undefined,
  doc: ConfigDocument,
  i: number,
  diags: Diagnostic[],
): Group["networks"][number] | undefined {
  const field = ["allowlist", i];
  const parsed = entrySchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => ({
      ...issue,
      path: [...field, ...issue.path],
    }));
    diags.push(...issuesToDiagnostics(issues, doc, "allowlist", palisadeKeys));
    return undefined;
  }
  const e = parsed.data;
  const text = typeof e === "string" ? e : (e.ip ?? e.cidr);
  if (typeof e !== "string" && (e.ip === undefined) === (e.cidr === undefined)) {
    diags.push(
      error(
        "allowlist.entry.invalid",
        doc.at(field),
        `entry${lineSuffix(doc, field)} needs exactly one of ip: or cidr:.`,
      ),
    );
    return undefined;
  }
  const reason =
    (typeof e === "string" ? undefined : e.reason) ??
    fileReason ??
    `allowlisted in ${doc.file.path}`;
  const onlyIp = typeof e !== "string" && e.ip !== undefined;
  const cidr = network(text as string, onlyIp, doc, field, diags);
  return cidr ? { cidr, value: { reason, match: cidr.text, path: doc.at([]) } } : undefined;
}

/** Parses an IP or CIDR the operator wrote, reporting what is wrong with it. */
function network(
  text: string,
  onlyIp: boolean,
  doc: ConfigDocument,
  field: readonly PropertyKey[],
  diags: Diagnostic[],
): Cidr | undefined {
  const at = doc.at(field);
  const line = lineSuffix(doc, field);
  const cidr = onlyIp ? (parseIp(text) ? parseCidr(text) : undefined) : parseCidr(text);
  if (!cidr) {
    const want = onlyIp ? "an IP address (put networks under cidr)" : "an IP or CIDR";
    diags.push(
      error(
        "allowlist.entry.invalid",
        at,
        `${quote(text)}${line} is not ${want}; write it like 203.0.113.7, 10.0.0.0/8 or 2001:db8::/32.`,
      ),
    );
    return undefined;
  }
  const bare = text.trim().split("/")[0] as string;
  if (text.includes("/") && normalizeIp(bare) !== cidr.addr.toString()) {
    diags.push(
      warning(
        "allowlist.entry.host_bits",
        at,
        `${quote(text)}${line} has host bits set; it allows the whole ${cidr.text}. Write ${cidr.text} if that is meant.`,
      ),
    );
  }
  return cidr;
}

function crowdsecGroup(
  doc: ConfigDocument,
  options: LoadAllowlistOptions,
  diags: Diagnostic[],
): Group | undefined {
  const parsed = crowdsecSchema.safeParse(doc.value);
  if (!parsed.success) {
    const keys = (f: readonly PropertyKey[]) =>
      f[0] === "whitelist"
        ? Object.keys(crowdsecSchema.shape.whitelist.shape)
        : Object.keys(crowdsecSchema.shape);
    diags.push(...issuesToDiagnostics(parsed.error.issues, doc, "allowlist", keys));
    return undefined;
  }
  const cfg = parsed.data;
  const reason = cfg.whitelist.reason ?? cfg.name ?? `whitelisted in ${doc.file.path}`;
  const entry = (match: string): AllowlistEntry => ({ reason, match, path: doc.at([]) });
  const group: Group = { networks: [], expressions: [] };
  for (const key of ["ip", "cidr"] as const) {
    (cfg.whitelist[key] ?? []).forEach((text, i) => {
      const cidr = network(text, key === "ip", doc, ["whitelist", key, i], diags);
      if (cidr) group.networks.push({ cidr, value: entry(cidr.text) });
    });
  }
  (cfg.whitelist.expression ?? []).forEach((src, i) => {
    const expr = compileField(
      src,
      doc,
      ["whitelist", "expression", i],
      exprOptions(options),
      diags,
    );
    if (expr) group.expressions.push({ expr, entry: entry(src) });
  });
  if (cfg.filter !== undefined) {
    const filter = compileField(cfg.filter, doc, ["filter"], exprOptions(options), diags);
    if (filter) group.filter = filter;
  }
  return group;
}

/** Whitelist expressions see `evt` (CrowdSec's parser and postoverflow stages). */
function exprOptions(options: LoadAllowlistOptions) {
  return options.data ? { names: ["evt"], data: options.data } : { names: ["evt"] };
}

function buildAllowlist(groups: readonly Group[]): Allowlist {
  const plain = new IpRangeIndex(groups.filter((g) => !g.filter).flatMap((g) => g.networks));
  const expressions = groups.filter((g) => !g.filter).flatMap((g) => g.expressions);
  const filtered = groups
    .filter((g): g is Group & { filter: CompiledExpr } => g.filter !== undefined)
    .map((g) => ({
      filter: g.filter,
      index: new IpRangeIndex(g.networks),
      expressions: g.expressions,
    }));
  const size = groups.reduce((n, g) => n + g.networks.length + g.expressions.length, 0);
  const lookupRange = (text: string) => {
    const cidr = parseCidr(text);
    return cidr ? plain.overlapping(cidr) : undefined;
  };
  return {
    size,
    lookupIp: (ip) => plain.lookup(ip),
    lookupRange,
    matchAlert(alert, warnings = []) {
      const src = alert.source;
      const ip = src.ip ?? (src.scope === "Ip" ? src.value : undefined);
      const range = src.range ?? (src.scope === "Range" ? src.value : undefined);
      const hit =
        ip !== undefined ? plain.lookup(ip) : range !== undefined ? lookupRange(range) : undefined;
      if (hit || (expressions.length === 0 && filtered.length === 0)) return hit;
      const evts = evtEnvs(alert, alertView(alert), ip);
      for (const g of filtered) {
        if (!holdsForEvery(g.filter, evts, "filter", warnings)) continue;
        const inGroup = ip !== undefined ? g.index.lookup(ip) : undefined;
        if (inGroup) return inGroup;
        const byExpr = g.expressions.find((x) =>
          holdsForEvery(x.expr, evts, x.entry.path, warnings),
        );
        if (byExpr) return byExpr.entry;
      }
      return expressions.find((x) => holdsForEvery(x.expr, evts, x.entry.path, warnings))?.entry;
    },
  };
}
