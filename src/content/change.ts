import type { ContentBundle, ContentChange } from "../contract/content";
import { type Diagnostic, error } from "../core/diagnostic";
import { compileCustomParser } from "../core/parser/custom";
import { loadProfiles } from "../core/profile/index";
import { lintScenarios } from "../core/scenario/index";
import { closest } from "../core/spelling";
import { compilePack, contentDataStore } from "./pack";
import { scenarioDocs } from "./split";

/**
 * Applies one admin change to a content bundle, checking it as `palisade scenarios lint`
 * does (the same core diagnostics, on the files as uploaded): a change with any error
 * yields no bundle, so a bad file changes nothing. The result is also compiled whole,
 * so a removal that leaves an installed scenario without its data file is refused too.
 */

export interface ChangeOutcome {
  bundle?: ContentBundle;
  errors: Diagnostic[];
  warnings: Diagnostic[];
}

/** The total size of a bundle's texts: the Ledger keeps one row per version. */
export const MAX_BUNDLE_CHARS = 2_000_000;

export function applyChange(
  current: ContentBundle,
  change: ContentChange,
  ipv6Prefix: number,
): ChangeOutcome {
  const diags: Diagnostic[] = [];
  const next: ContentBundle = structuredClone(current);
  for (const d of change.data ?? []) next.data[baseName(d.name)] = d.text;
  if (change.profiles_reset === true) delete next.profiles;
  if (change.profiles !== undefined) {
    const r = loadProfiles([{ path: change.profiles.name, text: change.profiles.text }], {
      data: contentDataStore(next.data),
      ipv6Prefix,
    });
    if (r.ok) diags.push(...r.warnings);
    else diags.push(...r.errors);
    next.profiles = change.profiles.text;
  }
  addScenarios(next, change.scenarios ?? [], diags);
  addParsers(next, change.parsers ?? [], diags);
  const known = knownNames(next, ipv6Prefix);
  removeScenarios(next, change.remove ?? [], diags);
  removeParsers(next, change.parsers_remove ?? [], diags);
  for (const name of change.enable ?? []) {
    if (checkName(name, known, "enable", diags))
      next.disabled = next.disabled.filter((n) => n !== name);
  }
  for (const name of change.disable ?? []) {
    if (checkName(name, known, "disable", diags) && !next.disabled.includes(name))
      next.disabled.push(name);
  }
  if (change.simulate) simulate(next, change.simulate, known, diags);
  const errors = diags.filter((d) => d.severity === "error");
  const warnings = diags.filter((d) => d.severity === "warning");
  if (errors.length > 0) return { errors, warnings };
  const whole = compilePack(0, next, ipv6Prefix).problems;
  if (whole.length > 0) return { errors: [...whole], warnings };
  const size = bundleChars(next);
  if (size > MAX_BUNDLE_CHARS) {
    const e = error(
      "content.too_large",
      "body",
      `the installed content would hold ${size} characters, more than ${MAX_BUNDLE_CHARS}; remove scenarios or data files you no longer use`,
    );
    return { errors: [e], warnings };
  }
  return { bundle: next, errors: [], warnings };
}

function baseName(name: string): string {
  return name.slice(name.lastIndexOf("/") + 1);
}

function addScenarios(
  next: ContentBundle,
  files: readonly { name: string; text: string }[],
  diags: Diagnostic[],
): void {
  if (files.length === 0) return;
  const data = contentDataStore(next.data);
  const found = lintScenarios(
    files.map((f) => ({ path: f.name, text: f.text })),
    { data },
  );
  diags.push(...found);
  if (found.some((d) => d.severity === "error")) return;
  const docs = files.flatMap((f) => scenarioDocs(f.name, f.text));
  if (docs.length === 0) {
    diags.push(
      error(
        "content.scenarios.empty",
        files.map((f) => f.name).join(", "),
        "no scenario in the upload (a YAML mapping with type, name, filter, …); check the file",
      ),
    );
  }
  for (const d of docs) {
    next.scenarios = next.scenarios.filter((s) => s.name !== d.name);
    next.scenarios.push(d);
  }
}

function addParsers(
  next: ContentBundle,
  files: readonly { name: string; text: string }[],
  diags: Diagnostic[],
): void {
  for (const f of files) {
    const r = compileCustomParser(f.text, f.name);
    if (!r.ok) {
      diags.push(...r.errors);
      continue;
    }
    diags.push(...r.warnings);
    next.parsers = next.parsers.filter((p) => p.type !== r.value.type);
    next.parsers.push({ type: r.value.type, file: f.name, text: f.text });
  }
}

function removeScenarios(next: ContentBundle, names: readonly string[], diags: Diagnostic[]) {
  const have = next.scenarios.map((s) => s.name);
  for (const name of names) {
    if (!have.includes(name)) {
      diags.push(
        unknownName(name, have, "remove", "installed scenarios (built-ins can only be disabled)"),
      );
      continue;
    }
    next.scenarios = next.scenarios.filter((s) => s.name !== name);
    next.disabled = next.disabled.filter((n) => n !== name);
    next.simulation.scenarios = next.simulation.scenarios.filter((n) => n !== name);
  }
}

function removeParsers(next: ContentBundle, types: readonly string[], diags: Diagnostic[]) {
  const have = next.parsers.map((p) => p.type);
  for (const type of types) {
    if (!have.includes(type)) {
      diags.push(unknownName(type, have, "remove", "installed parsers"));
      continue;
    }
    next.parsers = next.parsers.filter((p) => p.type !== type);
  }
}

function knownNames(next: ContentBundle, ipv6Prefix: number): string[] {
  return compilePack(0, next, ipv6Prefix).entries.map((e) => e.name);
}

function checkName(name: string, known: readonly string[], verb: string, diags: Diagnostic[]) {
  if (known.includes(name)) return true;
  diags.push(unknownName(name, known, verb, "scenarios"));
  return false;
}

function unknownName(name: string, known: readonly string[], verb: string, what: string) {
  const near = closest(name, known);
  const fix =
    near !== undefined ? `did you mean ${near}?` : "palisade scenarios list shows the names";
  return error(
    "content.name.unknown",
    name,
    `cannot ${verb} ${JSON.stringify(name)}: it is not one of the ${what}; ${fix}`,
  );
}

function simulate(
  next: ContentBundle,
  sim: NonNullable<ContentChange["simulate"]>,
  known: readonly string[],
  diags: Diagnostic[],
): void {
  if (sim.scenarios === undefined) {
    next.simulation = { all: sim.on, scenarios: [] };
    return;
  }
  for (const name of sim.scenarios) {
    if (!checkName(name, known, "simulate", diags)) continue;
    // With `all`, the list holds the exceptions (scenarios out of simulation).
    const listed = sim.on !== next.simulation.all;
    const rest = next.simulation.scenarios.filter((n) => n !== name);
    next.simulation.scenarios = listed ? [...rest, name] : rest;
  }
}

function bundleChars(b: ContentBundle): number {
  let n = (b.profiles ?? "").length;
  for (const s of b.scenarios) n += s.text.length;
  for (const p of b.parsers) n += p.text.length;
  for (const v of Object.values(b.data)) n += v.length;
  return n;
}
