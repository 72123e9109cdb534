import type { CapiSignal } from "../../contract/capi-signal";
import type { CommonsSharing } from "../../contract/commons-member";
import { hubFilesUnder } from "../../hub/index";
import type { AlertRecord } from "./records";

/**
 * Alerts as CAPI signals (`src/contract/capi-signal.ts`), by what the member shares
 * (CrowdSec console's settings): detected alerts unless switched off; manual decisions
 * only when switched on; allowlisted sources never; the context (request path, user
 * agent) only when switched on; never a log line (no event, no raw line, no message from
 * the log: the message says what CrowdSec's says, the scenario and the event count).
 */

/** Palisade's pack scenarios count at any version (the commons' `certified.ts`). */
const PACK_VERSION = "palisade";

// A type, not an interface: SqlStorage rows must be indexable records.
export type SignalRow = {
  uuid: string;
  scenario: string;
  signal: string;
};

/** The signal of a recorded alert, or null when sharing rules keep it here. */
export function signalOf(
  a: AlertRecord,
  manual: boolean,
  sharing: CommonsSharing,
  machineId: string,
  now: number,
): CapiSignal | null {
  if (a.allowlisted) return null;
  if (a.simulated) return null;
  if (manual ? !sharing.manual : !sharing.alerts) return null;
  const scope = a.source.scope.toLowerCase();
  if (scope !== "ip" && scope !== "range") return null;
  const source: CapiSignal["source"] = { scope: a.source.scope, value: a.source.value };
  if (a.source.ip) source.ip = a.source.ip;
  if (a.source.range) source.range = a.source.range;
  if (a.source.as_number) source.as_number = String(a.source.as_number);
  if (a.source.cn) source.cn = a.source.cn;
  const signal: CapiSignal = {
    scenario: a.scenario,
    scenario_hash: a.scenario_hash ?? "",
    scenario_version: a.scenario_version ?? (a.scenario_hash ? "" : PACK_VERSION),
    scenario_trust: manual ? "manual" : "certified",
    message: `${a.source.scope} ${a.source.value} performed '${a.scenario}' (${a.events_count} events)`,
    source,
    start_at: new Date(a.start_at).toISOString(),
    stop_at: new Date(a.stop_at).toISOString(),
    created_at: new Date(now).toISOString(),
    machine_id: machineId,
    uuid: crypto.randomUUID(),
  };
  const context = sharing.context ? contextOf(a) : [];
  if (context.length > 0) (signal as Record<string, unknown>).context = context;
  return signal;
}

/** The request path and user agent of the alert's last event, when the operator shares them. */
function contextOf(a: AlertRecord): { key: string; value: string }[] {
  const last = a.events.at(-1);
  if (!last) return [];
  const out: { key: string; value: string }[] = [];
  const path = last.Meta.http_path ?? last.Parsed.request;
  const agent = last.Meta.http_user_agent ?? last.Parsed.http_user_agent;
  if (path) out.push({ key: "target_uri", value: path.slice(0, 256) });
  if (agent) out.push({ key: "user_agent", value: agent.slice(0, 256) });
  return out;
}

let packHashes: Promise<Map<string, string>> | undefined;

/**
 * The sha256 of each pack scenario file by the scenario names it defines: the commons
 * certifies a signal by that digest. Computed once per isolate.
 */
export function packScenarioHashes(): Promise<Map<string, string>> {
  packHashes ??= (async () => {
    const out = new Map<string, string>();
    for (const f of hubFilesUnder("scenarios/")) {
      const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(f.text));
      const hex = [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
      for (const m of f.text.matchAll(/^name:\s*["']?([^\s"'#]+)/gm)) out.set(m[1] as string, hex);
    }
    return out;
  })();
  return packHashes;
}

/** The signal ready to send: a pack scenario's digest filled in where the alert had none. */
export function withHash(row: SignalRow, hashes: Map<string, string>): CapiSignal {
  const s = JSON.parse(row.signal) as CapiSignal;
  if (!s.scenario_hash) s.scenario_hash = hashes.get(row.scenario) ?? "";
  return s;
}
