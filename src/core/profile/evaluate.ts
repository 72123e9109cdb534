import type { Alert } from "../alert";
import type { AllowlistEntry } from "../allowlist";
import type { Decision } from "../decision";
import { type Diagnostic, warning } from "../diagnostic";
import { formatDuration, parseDuration } from "../duration";
import { ExprEvalError } from "../expr";
import { ipToRange, ipVersion, normalizeCidr, normalizeIp } from "../ip";
import type { DecisionTemplate } from "./decision-template";
import { type AlertView, alertView, type HistoryCounter } from "./env";
import type { CompiledProfile } from "./load";

export interface ProfileContext {
  history: HistoryCounter;
  /** Decision start, ms since epoch (the alert's time in replay). */
  now: number;
  /** Consulted so that widening an IPv6 decision to its /64 never covers an allowed address. */
  rangeAllowed?: (cidr: string) => AllowlistEntry | undefined;
}

export interface ProfileOutcome {
  decisions: Decision[];
  /** The profile whose decisions were taken (the first that applied with any). */
  profile?: string;
  /** Every profile that applied, in order (CrowdSec notifies each). */
  matched: string[];
  warnings: Diagnostic[];
  /** Filter results of profiles with `debug: true`. */
  debug: string[];
}

type Verdict = "match" | "nomatch" | "error";

/**
 * CrowdSec's profile loop: profiles in order; a profile applies when any filter is true;
 * only the first applying profile that yields decisions sets them (later ones only count
 * as matched, as CrowdSec only notifies for them). `on_success: break` stops after an
 * applying profile, `on_failure: break` after one that does not apply (as CrowdSec
 * documents it), `on_error` says what a filter that fails to evaluate does.
 */
export function evaluateProfiles(
  alert: Alert,
  profiles: readonly CompiledProfile[],
  ctx: ProfileContext,
): ProfileOutcome {
  const out: ProfileOutcome = { decisions: [], matched: [], warnings: [], debug: [] };
  const view = alertView(alert);
  const env: Record<string, unknown> = { Alert: view };
  for (const p of profiles) {
    p.counting.current = { history: ctx.history, now: ctx.now };
    try {
      if (!applyProfile(p, alert, view, env, ctx, out)) break;
    } finally {
      p.counting.current = undefined;
    }
  }
  return out;
}

/** Runs one profile; false when the loop must stop after it. */
function applyProfile(
  p: CompiledProfile,
  alert: Alert,
  view: AlertView,
  env: Record<string, unknown>,
  ctx: ProfileContext,
  out: ProfileOutcome,
): boolean {
  const verdict = runFilters(p, env, out);
  const applies = verdict === "match" || (verdict === "error" && p.onError === "apply");
  if (!applies) return (verdict === "error" ? p.onError : p.onFailure) !== "break";
  out.matched.push(p.name);
  if (out.decisions.length === 0) {
    out.decisions = generate(p, alert, view, env, ctx, out.warnings);
    if (out.decisions.length > 0) out.profile = p.name;
  }
  return p.onSuccess !== "break";
}

function runFilters(
  p: CompiledProfile,
  env: Record<string, unknown>,
  out: ProfileOutcome,
): Verdict {
  for (let i = 0; i < p.filters.length; i++) {
    const filter = p.filters[i] as CompiledExpr;
    const r = run(filter, env);
    if (p.debug)
      out.debug.push(
        `${p.name}: filters[${i}] ${filter.source} → ${r.ok ? String(r.value) : r.error}`,
      );
    if (!r.ok || typeof r.value !== "boolean") {
      const why = r.ok
        ? `returned ${JSON.stringify(r.value)}, not a boolean`
        : `failed: ${r.error}`;
      out.warnings.push(
        warning(
          "profile.filter.runtime",
          `${p.path}:filters[${i}]`,
          `filter ${why}; on_error: ${p.onError} applies.`,
        ),
      );
      return "error";
    }
    if (r.value) return "match";
  }
  return "nomatch";
}

type CompiledExpr = CompiledProfile["filters"][number];

function run(
  expr: CompiledExpr,
  env: Record<string, unknown>,
): { ok: true; value: unknown } | { ok: false; error: string } {
  try {
    return { ok: true, value: expr.run(env) };
  } catch (e) {
    // Only the input's fault is reported; anything else is a bug and propagates.
    if (!(e instanceof ExprEvalError)) throw e;
    return { ok: false, error: e.message };
  }
}

function generate(
  p: CompiledProfile,
  alert: Alert,
  view: AlertView,
  env: Record<string, unknown>,
  ctx: ProfileContext,
  warnings: Diagnostic[],
): Decision[] {
  const override = p.durationExpr ? exprDuration(p, env, warnings) : undefined;
  const decisions: Decision[] = [];
  for (const t of p.decisions) {
    const target = targetOf(t, alert, view, p.ipv6Prefix, ctx, warnings);
    if (!target) continue;
    const duration = override ?? t.duration;
    decisions.push({
      type: t.type,
      scope: target.scope,
      value: target.value,
      duration,
      origin: t.origin,
      scenario: alert.scenario,
      start: ctx.now,
      until: ctx.now + duration,
    });
  }
  return decisions;
}

function exprDuration(
  p: CompiledProfile,
  env: Record<string, unknown>,
  warnings: Diagnostic[],
): number | undefined {
  const r = run(p.durationExpr as CompiledExpr, env);
  const text = r.ok ? String(r.value) : "";
  const ms = r.ok ? parseDuration(text) : undefined;
  if (ms !== undefined && ms > 0) return ms;
  const fallback = p.decisions.map((d) => formatDuration(d.duration)).join(", ");
  const why = r.ok
    ? `returned ${JSON.stringify(r.value)}, not a positive Go duration`
    : `failed: ${r.error}`;
  warnings.push(
    warning(
      "profile.duration_expr.runtime",
      `${p.path}:duration_expr`,
      `duration_expr ${why}; using the decisions' own duration (${fallback}).`,
    ),
  );
  return undefined;
}

function targetOf(
  t: DecisionTemplate,
  alert: Alert,
  view: AlertView,
  ipv6Prefix: number,
  ctx: ProfileContext,
  warnings: Diagnostic[],
): { scope: string; value: string } | undefined {
  const scope = t.scope ?? view.Source.Scope;
  if (scope === "Ip") {
    const ip = normalizeIp(view.Source.IP || view.Source.Value);
    if (ip === undefined) {
      warnings.push(
        warning(
          "profile.decision.no_ip",
          t.path,
          `alert source ${JSON.stringify(view.Source.Value)} of ${alert.scenario} is not an IP; no Ip decision made.`,
        ),
      );
      return undefined;
    }
    return widen(ip, ipv6Prefix, t, ctx, warnings);
  }
  if (scope === "Range") {
    const cidr = normalizeCidr(view.Source.Range);
    if (cidr === undefined) {
      // CrowdSec too skips a Range decision when the alert carries no range.
      warnings.push(
        warning(
          "profile.decision.no_range",
          t.path,
          `alert of ${alert.scenario} carries no source range; no Range decision made.`,
        ),
      );
      return undefined;
    }
    return { scope, value: cidr };
  }
  return { scope, value: view.Source.Value };
}

function widen(
  ip: string,
  prefix: number,
  t: DecisionTemplate,
  ctx: ProfileContext,
  warnings: Diagnostic[],
): { scope: string; value: string } {
  if (prefix >= 128 || ipVersion(ip) !== 6) return { scope: "Ip", value: ip };
  const net = ipToRange(ip, prefix) as string;
  const allowed = ctx.rangeAllowed?.(net);
  if (allowed === undefined) return { scope: "Range", value: net };
  warnings.push(
    warning(
      "profile.decision.range_allowlisted",
      t.path,
      `${net} contains allowlisted ${allowed.match} (${allowed.reason}); deciding on ${ip} alone.`,
    ),
  );
  return { scope: "Ip", value: ip };
}
