import { parseAllDocuments } from "yaml";
import { z } from "zod";
import { parseDuration } from "../core/duration";
import { type CompiledTemplate, compileTemplate } from "../core/template/index";

/**
 * Notification channels: CrowdSec's notification plugin files (`type`, `name`, `format`,
 * `group_wait`, `group_threshold`, `max_retry`, `timeout`, and the `http` plugin's `url`,
 * `method`, `headers`; the `slack` plugin's `webhook`), as YAML documents in
 * PALISADE_NOTIFICATIONS (a secret: URLs and keys are credentials). Profiles name them in
 * `notifications:`. Palisade's additions: `type: signed` (a JSON body signed with
 * HMAC-SHA256 by `secret`), `rate_limit` and `max_alerts` (an attack wave sends a few
 * messages, not thousands), and `profiles` (attach the channel to profiles by name, `*`
 * for every one: the built-in profiles cannot list it themselves).
 */

const duration = (d: string) =>
  z
    .string()
    .refine((s) => (parseDuration(s) ?? -1) >= 0, { error: "a Go duration like 30s or 5m" })
    .default(d);

const channelSchema = z.object({
  name: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, { error: "1-64 letters, digits, '.', '_' or '-'" }),
  type: z.enum(["http", "slack", "signed"]),
  url: z.url({ protocol: /^https?$/ }).optional(),
  webhook: z.url({ protocol: /^https?$/ }).optional(),
  method: z.enum(["POST", "PUT", "PATCH", "GET"]).default("POST"),
  headers: z.record(z.string(), z.string()).default({}),
  format: z.string().optional(),
  secret: z.string().min(16, { error: "at least 16 characters" }).optional(),
  group_wait: duration("10s"),
  group_threshold: z.number().int().min(1).max(1000).default(10),
  max_retry: z.number().int().min(0).max(20).default(5),
  timeout: duration("10s"),
  rate_limit: z
    .string()
    .regex(/^\d{1,5}\/[smh]$/, { error: "messages per second, minute or hour, like 30/h" })
    .default("30/h"),
  max_alerts: z.number().int().min(1).max(500).default(50),
  profiles: z.array(z.string()).default([]),
});

export type ChannelSpec = z.infer<typeof channelSchema>;

export interface Channel {
  name: string;
  type: ChannelSpec["type"];
  url: string;
  method: string;
  headers: Record<string, string>;
  template: CompiledTemplate;
  secret?: string;
  groupWaitMs: number;
  groupThreshold: number;
  maxRetry: number;
  timeoutMs: number;
  /** At most `rate.count` messages per `rate.windowMs`. */
  rate: { count: number; windowMs: number };
  maxAlerts: number;
  profiles: string[];
}

/** CrowdSec's http plugin default: the alerts as JSON. */
const HTTP_FORMAT = "{{.|toJson}}";
/** One line per decision, as CrowdSec's slack plugin default says it. */
const SLACK_FORMAT = `{{range . -}}{{$alert := . -}}{{range .Decisions -}}
{{.Value}} will get {{.Type}} for next {{.Duration}} for triggering {{.Scenario}} on machine '{{$alert.MachineID}}'.
{{end -}}{{if not .Decisions}}{{.Source.Value}} triggered {{.Scenario}} (no decision).
{{end}}{{end -}}`;

export interface ChannelSet {
  channels: Map<string, Channel>;
  /** `name: what is wrong`, for the log and the console. */
  errors: string[];
}

const cache = new Map<string, ChannelSet>();

/** The channels of PALISADE_NOTIFICATIONS (parsed once per isolate per text); bad ones are reported and left out. */
export function channelsOf(text: string | undefined): ChannelSet {
  const src = text ?? "";
  const known = cache.get(src);
  if (known) return known;
  const out: ChannelSet = { channels: new Map(), errors: [] };
  if (src.trim() !== "") {
    const docs = parseAllDocuments(src);
    for (let i = 0; i < docs.length; i++) readChannel(docs[i]?.toJS() as unknown, i, out);
  }
  for (const e of out.errors) console.error(`palisade.notify.config_invalid: ${e}`);
  cache.clear();
  cache.set(src, out);
  return out;
}

function readChannel(value: unknown, index: number, out: ChannelSet): void {
  if (value === null || value === undefined) return;
  const r = channelSchema.safeParse(value);
  const where = `PALISADE_NOTIFICATIONS document ${index}`;
  if (!r.success) {
    const issue = r.error.issues[0];
    out.errors.push(`${where}: ${issue?.path.join(".") || "(document)"}: ${issue?.message}`);
    return;
  }
  const s = r.data;
  const url = s.type === "slack" ? (s.webhook ?? s.url) : s.url;
  if (!url)
    return void out.errors.push(
      `${where} (${s.name}): ${s.type === "slack" ? "webhook" : "url"} is required`,
    );
  if (s.type === "signed" && !s.secret)
    return void out.errors.push(`${where} (${s.name}): secret is required`);
  let template: CompiledTemplate;
  try {
    template = compileTemplate(s.format ?? (s.type === "slack" ? SLACK_FORMAT : HTTP_FORMAT));
  } catch (e) {
    return void out.errors.push(
      `${where} (${s.name}): format: ${e instanceof Error ? e.message : e}`,
    );
  }
  const [n, unit] = s.rate_limit.split("/") as [string, "s" | "m" | "h"];
  const channel: Channel = {
    name: s.name,
    type: s.type,
    url,
    method: s.method,
    headers: s.headers,
    template,
    groupWaitMs: parseDuration(s.group_wait) ?? 10_000,
    groupThreshold: s.group_threshold,
    maxRetry: s.max_retry,
    timeoutMs: parseDuration(s.timeout) ?? 10_000,
    rate: { count: Number(n), windowMs: { s: 1_000, m: 60_000, h: 3_600_000 }[unit] },
    maxAlerts: s.max_alerts,
    profiles: s.profiles,
  };
  if (s.secret !== undefined) channel.secret = s.secret;
  if (out.channels.has(s.name))
    out.errors.push(`${where}: a second channel named ${s.name} (ignored)`);
  else out.channels.set(s.name, channel);
}

/** The channels an alert goes to: those its profiles name, and those attached to its profiles. */
export function channelsFor(
  set: ChannelSet,
  notify: readonly string[],
  profiles: readonly string[],
): string[] {
  const out = new Set<string>();
  for (const n of notify) {
    if (set.channels.has(n)) out.add(n);
    else
      console.warn(
        `palisade.notify.unknown_channel: a profile names ${n}, which PALISADE_NOTIFICATIONS does not define`,
      );
  }
  for (const c of set.channels.values()) {
    if (
      c.profiles.includes("*") ? profiles.length > 0 : c.profiles.some((p) => profiles.includes(p))
    )
      out.add(c.name);
  }
  return [...out];
}
