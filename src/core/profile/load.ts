import {
  type ConfigDocument,
  type ConfigFile,
  compileField,
  issuesToDiagnostics,
  lineSuffix,
  readDocuments,
} from "../config-file";
import type { DataStore } from "../data";
import { type Diagnostic, error, type Result, warning } from "../diagnostic";
import type { CompiledExpr } from "../expr";
import { DEFAULT_IPV6_PREFIX } from "../ip";
import { compileDecisionTemplate, type DecisionTemplate } from "./decision-template";
import { type CountingCell, historyFunctions } from "./env";
import { type ProfileDocument, profileDocumentSchema, profileKeysAt } from "./schema";

/**
 * Profiles turn alerts into decisions, in CrowdSec's profiles.yaml format: a multi-document
 * YAML file, each document a profile tried in order (see evaluateProfiles).
 */

export interface CompiledProfile {
  name: string;
  /** `file#document`, prefix of every diagnostic about this profile. */
  path: string;
  /** OR'ed: the profile applies when any returns true. */
  filters: CompiledExpr[];
  decisions: DecisionTemplate[];
  /** Returns a Go duration string overriding every decision's duration. */
  durationExpr?: CompiledExpr;
  onSuccess: "break" | "continue";
  onFailure: "break" | "continue";
  /** What a filter that fails to evaluate does; CrowdSec's `on_error`. */
  onError: "apply" | "break" | "continue" | "ignore";
  debug: boolean;
  /** Prefix length IPv6 `Ip` decisions widen to; 128 keeps the address. */
  ipv6Prefix: number;
  /** Accepted for compatibility; Palisade sends no notifications yet. */
  notifications: string[];
  /** Set by evaluateProfiles while this profile's expressions run (history and time). */
  counting: CountingCell;
}

export interface LoadProfilesOptions {
  /** Data files for `File()` and friends in filters. */
  data?: DataStore;
  /**
   * The `ipv6_prefix` of profiles that set none (default 64): the Worker passes its
   * IPV6_PREFIX, so decisions cover the network its trackers and blocklist key on.
   */
  ipv6Prefix?: number;
}

/** Loads and compiles profile files in order; every problem is reported, none thrown. */
export function loadProfiles(
  files: readonly ConfigFile[],
  options: LoadProfilesOptions = {},
): Result<CompiledProfile[]> {
  const diags: Diagnostic[] = [];
  const profiles: CompiledProfile[] = [];
  for (const file of files) {
    for (const doc of readDocuments(file, "profile.yaml", diags)) {
      const p = compileProfile(doc, options, diags);
      if (p) profiles.push(p);
    }
  }
  if (profiles.length === 0 && !diags.some((d) => d.severity === "error")) {
    const where = files.map((f) => f.path).join(", ") || "(no files)";
    diags.push(
      error("profile.none", where, "no profile defined: without one no alert gets a decision."),
    );
  }
  warnDuplicateNames(profiles, diags);
  const errors = diags.filter((d) => d.severity === "error");
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, value: profiles, warnings: diags };
}

function compileProfile(
  doc: ConfigDocument,
  options: LoadProfilesOptions,
  diags: Diagnostic[],
): CompiledProfile | undefined {
  const parsed = profileDocumentSchema.safeParse(doc.value);
  if (!parsed.success) {
    diags.push(...issuesToDiagnostics(parsed.error.issues, doc, "profile", profileKeysAt));
    return undefined;
  }
  const cfg = parsed.data;
  const before = diags.length;
  const ipv6Prefix = cfg.ipv6_prefix ?? options.ipv6Prefix ?? DEFAULT_IPV6_PREFIX;
  const counting: CountingCell = { current: undefined };
  const exprOptions = {
    // CrowdSec's profile expressions see `Alert` and nothing else.
    names: ["Alert"],
    functions: historyFunctions(counting, ipv6Prefix),
    ...(options.data ? { data: options.data } : {}),
  };
  const filters = (cfg.filters ?? []).map((src, i) =>
    compileField(src, doc, ["filters", i], exprOptions, diags),
  );
  const durationExpr =
    cfg.duration_expr === undefined
      ? undefined
      : compileField(cfg.duration_expr, doc, ["duration_expr"], exprOptions, diags);
  const decisions = (cfg.decisions ?? []).flatMap(
    (d, i) => compileDecisionTemplate(d, doc, i, durationExpr !== undefined, diags) ?? [],
  );
  warnings(cfg, doc, diags);
  if (diags.slice(before).some((d) => d.severity === "error")) return undefined;
  const profile: CompiledProfile = {
    name: cfg.name ?? `profile #${doc.index} of ${doc.file.path}`,
    path: doc.at([]),
    filters: filters.filter((f): f is CompiledExpr => f !== undefined),
    decisions,
    onSuccess: cfg.on_success ?? "continue",
    onFailure: cfg.on_failure === "break" ? "break" : "continue",
    onError: cfg.on_error ?? "continue",
    debug: cfg.debug ?? false,
    ipv6Prefix,
    notifications: cfg.notifications ?? [],
    counting,
  };
  if (durationExpr) profile.durationExpr = durationExpr;
  return profile;
}

function warnings(cfg: ProfileDocument, doc: ConfigDocument, diags: Diagnostic[]): void {
  if (cfg.filters === undefined || cfg.filters.length === 0) {
    diags.push(
      warning(
        "profile.filters.empty",
        doc.at(["filters"]),
        `profile ${cfg.name ?? `#${doc.index}`} has no filters, so it never applies; add at least one, e.g. \`Alert.Remediation == true\`.`,
      ),
    );
  }
  if (cfg.notifications && cfg.notifications.length > 0) {
    diags.push(
      warning(
        "profile.notifications.unsupported",
        doc.at(["notifications"]),
        `notifications (${cfg.notifications.join(", ")})${lineSuffix(doc, ["notifications"])} are accepted but not sent: Palisade has no notification plugins yet.`,
      ),
    );
  }
  if (cfg.on_failure === "apply") {
    diags.push(
      warning(
        "profile.on_failure.apply",
        doc.at(["on_failure"]),
        `on_failure: apply has no effect (in CrowdSec either) and is treated as continue; write continue or break.`,
      ),
    );
  }
}

function warnDuplicateNames(profiles: readonly CompiledProfile[], diags: Diagnostic[]): void {
  const seen = new Map<string, string>();
  for (const p of profiles) {
    const first = seen.get(p.name);
    if (first !== undefined) {
      diags.push(
        warning(
          "profile.name.duplicate",
          p.path,
          `profile name ${JSON.stringify(p.name)} is also used by ${first}; give each profile its own name so decisions say which one applied.`,
        ),
      );
    } else seen.set(p.name, p.path);
  }
}
