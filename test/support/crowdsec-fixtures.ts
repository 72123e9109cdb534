import agent from "../fixtures/crowdsec/agent.json" with { type: "json" };
import cscli from "../fixtures/crowdsec/cscli.json" with { type: "json" };
import customBouncer from "../fixtures/crowdsec/custom-bouncer.json" with { type: "json" };

/**
 * What the real CrowdSec 1.4.6 tools sent to a real CrowdSec LAPI and what it answered,
 * recorded by test/fixtures/crowdsec/record.mjs (secrets replaced by placeholders).
 */

export interface Exchange {
  /** Its place among every tool's exchanges of the recording. */
  n: number;
  request: {
    method: string;
    /** Path and query, as sent: `/v1/alerts?include_capi=false&limit=50`. */
    url: string;
    headers: Record<string, string>;
    body: unknown;
  };
  response: { status: number; body: unknown };
}

export const RECORDED = {
  cscli: cscli as Exchange[],
  agent: agent as Exchange[],
  customBouncer: customBouncer as Exchange[],
};

export function exchanges(
  tool: keyof typeof RECORDED,
  method: string,
  path: string | RegExp,
): Exchange[] {
  return RECORDED[tool].filter((e) => {
    if (e.request.method !== method) return false;
    const p = e.request.url.split("?")[0] ?? "";
    return typeof path === "string" ? p === path : path.test(p);
  });
}

/** The query of a recorded URL as a plain object (what the Worker's parser sees). */
export function queryOf(url: string): Record<string, string> {
  return Object.fromEntries(new URL(url, "http://lapi").searchParams);
}

/**
 * Where `ours` differs in shape from `theirs` (CrowdSec's answer): a key CrowdSec sends
 * that is missing, a key it does not send (except `extra`, Palisade's documented
 * additions), or another JSON type. Arrays compare their first items.
 */
export function shapeDiff(
  ours: unknown,
  theirs: unknown,
  extra: readonly string[] = [],
  path = "",
): string[] {
  const t = kind(theirs);
  const o = kind(ours);
  if (t !== o) return [`${path || "(root)"}: CrowdSec sends ${t}, Palisade ${o}`];
  if (t === "array") {
    const [a] = ours as unknown[];
    const [b] = theirs as unknown[];
    return a === undefined || b === undefined ? [] : shapeDiff(a, b, extra, `${path}[0]`);
  }
  if (t !== "object") return [];
  const ob = ours as Record<string, unknown>;
  const th = theirs as Record<string, unknown>;
  const out: string[] = [];
  for (const k of Object.keys(th)) {
    if (!(k in ob)) out.push(`${path}.${k}: missing (CrowdSec sends it)`);
    else out.push(...shapeDiff(ob[k], th[k], extra, `${path}.${k}`));
  }
  for (const k of Object.keys(ob)) {
    if (!(k in th) && !extra.includes(k)) out.push(`${path}.${k}: not in CrowdSec's answer`);
  }
  return out;
}

function kind(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  return typeof v;
}
