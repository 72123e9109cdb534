/**
 * The shipper's configuration: one YAML file (see settings.ts for every scalar key and
 * source-config.ts for `sources:`), overridden by `PALISADE_SHIP_*` variables and flags.
 * Every problem is reported at once, each naming the key, the bad value and the fix.
 */
import type { Diagnostic, Result } from "./diagnostic";
import {
  coerce,
  envName,
  isSection,
  type RawSetting,
  SETTINGS,
  type SettingValue,
  settingByKey,
} from "./settings";
import { readSources, type SourceConfig } from "./source-config";
import { suggest } from "./suggest";
import { parseYaml, type YamlEntry, type YamlNode } from "./yaml";

export type LogLevel = "error" | "warn" | "info" | "debug";

export const INGEST_PATH = "/_palisade/v1/ingest";

export interface ShipperConfig {
  /** Full ingest URL (the base URL with /_palisade/v1/ingest). */
  url: string;
  token: string;
  stateDir: string;
  gzip: boolean;
  gzipLevel: number;
  batch: { maxLines: number; maxBytes: number; maxWaitMs: number };
  maxLineBytes: number;
  spool: { maxBytes: number };
  retry: { initialMs: number; maxMs: number };
  requestTimeoutMs: number;
  pollIntervalMs: number;
  rotateWaitMs: number;
  statsIntervalMs: number;
  shutdownTimeoutMs: number;
  logLevel: LogLevel;
  journalctlPath: string;
  sources: SourceConfig[];
}

/** What a mode needs: follow needs everything, --once needs no sources nor state dir. */
export interface Needs {
  url: boolean;
  stateDir: boolean;
  sources: boolean;
}

export interface ConfigInput {
  file?: { name: string; text: string };
  env: Readonly<Record<string, string | undefined>>;
  /** Flag values keyed by setting key (`batch.max_lines`). */
  flags: Readonly<Record<string, string>>;
  needs: Needs;
  readFile: (path: string) => string;
}

const TOP_KEYS = [...SETTINGS.map((s) => s.key.split(".")[0] as string), "sources"];
const ENV_SKIP = new Set(["PALISADE_SHIP_CONFIG", "PALISADE_SHIP_VERSION"]);

function collectFile(
  node: YamlNode | null,
  file: string,
  raw: Map<string, RawSetting>,
  errors: Diagnostic[],
): YamlNode | undefined {
  if (node === null) return undefined;
  if (node.kind !== "map") {
    errors.push({
      code: "config.invalid",
      path: `${file}:${node.line}:${node.col}`,
      message: "the config must be a mapping of keys (url, token, state_dir, sources, …)",
    });
    return undefined;
  }
  let sources: YamlNode | undefined;
  const visit = (e: YamlEntry, prefix: string) => {
    const key = prefix + e.key;
    const where = `${file}:${e.line}:${e.col}`;
    if (key === "sources") sources = e.value;
    else if (prefix === "" && isSection(key) && e.value.kind === "map")
      for (const c of e.value.entries) visit(c, `${key}.`);
    else if (settingByKey(key) !== undefined && e.value.kind === "scalar")
      raw.set(key, { value: e.value.value, origin: where });
    else if (settingByKey(key) !== undefined || isSection(key))
      errors.push({
        code: "config.value.invalid",
        path: `${where} ${key}`,
        message: `${key} must be a ${isSection(key) ? "mapping" : "single value"}`,
      });
    else {
      const known =
        prefix === ""
          ? TOP_KEYS
          : SETTINGS.filter((s) => s.key.startsWith(prefix)).map((s) => s.key.slice(prefix.length));
      errors.push({
        code: "config.key.unknown",
        path: `${where} ${key}`,
        message: `unknown key "${key}": ${suggest(e.key, [...new Set(known)])}`,
      });
    }
  };
  for (const e of node.entries) visit(e, "");
  return sources;
}

function collectEnv(
  env: ConfigInput["env"],
  raw: Map<string, RawSetting>,
  errors: Diagnostic[],
): void {
  const byEnv = new Map(SETTINGS.map((s) => [envName(s), s]));
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith("PALISADE_SHIP_") || ENV_SKIP.has(name) || value === undefined) continue;
    const s = byEnv.get(name);
    if (s === undefined) {
      const hint = suggest(name, [...byEnv.keys()]);
      errors.push({
        code: "config.env.unknown",
        path: `env ${name}`,
        message: `unknown variable ${name}: ${hint}`,
      });
    } else raw.set(s.key, { value, origin: `env ${name}` });
  }
}

function resolveUrl(base: string): string | Diagnostic {
  let u: URL;
  try {
    u = new URL(base);
  } catch {
    return {
      code: "config.url.invalid",
      path: "url",
      message: `${JSON.stringify(base)} is not a URL; write the Worker's base URL, e.g. https://example.com`,
    };
  }
  if (u.protocol !== "http:" && u.protocol !== "https:")
    return {
      code: "config.url.invalid",
      path: "url",
      message: `url must be http:// or https://, not ${u.protocol}`,
    };
  const path = u.pathname.replace(/\/+$/, "");
  u.pathname = path.endsWith(INGEST_PATH) ? path : `${path}${INGEST_PATH}`;
  return u.toString();
}

type Values = Map<string, SettingValue>;

function coerceAll(raw: Map<string, RawSetting>, errors: Diagnostic[]): Values {
  const values: Values = new Map();
  for (const s of SETTINGS) {
    const r = raw.get(s.key);
    if (r === undefined) {
      if (s.default !== undefined) values.set(s.key, s.default);
      continue;
    }
    const v = coerce(s, r);
    if (typeof v === "object") errors.push(v);
    else values.set(s.key, v);
  }
  return values;
}

function tokenOf(values: Values, input: ConfigInput, errors: Diagnostic[]): string {
  const token = values.get("token");
  if (typeof token === "string") return token;
  const file = values.get("token_file");
  if (typeof file !== "string") return "";
  try {
    const t = input.readFile(file).trim();
    if (t === "")
      errors.push({
        code: "config.token.empty",
        path: "token_file",
        message: `${file} is empty; put the machine token in it`,
      });
    return t;
  } catch (e) {
    errors.push({
      code: "config.token.unreadable",
      path: "token_file",
      message: `cannot read ${file}: ${(e as Error).message}`,
    });
    return "";
  }
}

function required(
  values: Values,
  input: ConfigInput,
  token: string,
  sources: SourceConfig[],
  errors: Diagnostic[],
  declared: boolean,
): void {
  const missing = (key: string, fix: string) =>
    errors.push({ code: "config.missing", path: key, message: `${key} is required: ${fix}` });
  if (input.needs.url && !values.has("url"))
    missing("url", "set it in the config, --url or PALISADE_SHIP_URL");
  if (input.needs.url && token === "")
    missing("token", "set token or token_file in the config, --token or PALISADE_SHIP_TOKEN");
  if (input.needs.stateDir && !values.has("state_dir"))
    missing("state_dir", "a directory the shipper owns, e.g. /var/lib/palisade-ship (--state-dir)");
  if (input.needs.sources && sources.length === 0 && !declared)
    missing(
      "sources",
      "list what to ship, e.g. `sources: [{paths: [/var/log/nginx/access.log], type: nginx}]`",
    );
}

function build(values: Values, token: string, url: string, sources: SourceConfig[]): ShipperConfig {
  const n = (k: string) => values.get(k) as number;
  return {
    url,
    token,
    stateDir: (values.get("state_dir") as string | undefined) ?? "",
    gzip: values.get("gzip") as boolean,
    gzipLevel: n("gzip_level"),
    batch: {
      maxLines: n("batch.max_lines"),
      maxBytes: n("batch.max_bytes"),
      maxWaitMs: n("batch.max_wait"),
    },
    maxLineBytes: n("max_line_bytes"),
    spool: { maxBytes: n("spool.max_bytes") },
    retry: { initialMs: n("retry.initial"), maxMs: n("retry.max") },
    requestTimeoutMs: n("request_timeout"),
    pollIntervalMs: n("poll_interval"),
    rotateWaitMs: n("rotate_wait"),
    statsIntervalMs: n("stats_interval"),
    shutdownTimeoutMs: n("shutdown_timeout"),
    logLevel: values.get("log_level") as LogLevel,
    journalctlPath: values.get("journalctl_path") as string,
    sources,
  };
}

/** File diagnostics in file order first, then the others (environment, flags, missing keys). */
function byPlace(errors: Diagnostic[]): Diagnostic[] {
  const at = (d: Diagnostic) => {
    const m = /:(\d+):(\d+)/.exec(d.path);
    return m ? Number(m[1]) * 10_000 + Number(m[2]) : Number.MAX_SAFE_INTEGER;
  };
  return [...errors].sort((a, b) => at(a) - at(b));
}

/** Reads and validates the configuration from the file, environment and flags. */
export function loadConfig(input: ConfigInput): Result<ShipperConfig> {
  const errors: Diagnostic[] = [];
  const raw = new Map<string, RawSetting>();
  let sources: SourceConfig[] = [];
  let declared = false;
  if (input.file !== undefined) {
    const parsed = parseYaml(input.file.text, input.file.name);
    if (!parsed.ok) return parsed;
    const node = collectFile(parsed.value, input.file.name, raw, errors);
    if (node !== undefined) sources = readSources(node, input.file.name, errors);
    declared = node?.kind === "seq" && node.items.length > 0;
  }
  collectEnv(input.env, raw, errors);
  for (const [key, value] of Object.entries(input.flags))
    raw.set(key, { value, origin: `flag --${key.replace(/[._]/g, "-")}` });
  const values = coerceAll(raw, errors);
  const token = tokenOf(values, input, errors);
  required(values, input, token, sources, errors, declared);
  const base = values.get("url");
  const url = typeof base === "string" ? resolveUrl(base) : "";
  if (typeof url !== "string") errors.push(url);
  if (errors.length > 0 || typeof url !== "string") return { ok: false, errors: byPlace(errors) };
  return { ok: true, value: build(values, token, url, sources) };
}
