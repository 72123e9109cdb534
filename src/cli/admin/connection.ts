import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { fail } from "../errors";
import { message } from "./failure";

/**
 * Where the admin commands find the Worker and the admin token. Each setting comes from
 * the first of: a flag (`--url`, `--token`), the environment (`PALISADE_URL`,
 * `PALISADE_TOKEN`), the config file (`--config FILE`, else `PALISADE_CONFIG`, else
 * `$XDG_CONFIG_HOME/palisade/cli.yaml` or `~/.config/palisade/cli.yaml`), a YAML file
 * with `url:` and `token:`. Each value remembers its origin so that an error can say
 * which setting to fix.
 */
export interface Connection {
  /** The Worker's base URL, without `/_palisade/…`: `https://example.com`. */
  base: string;
  token: string;
  urlFrom: string;
  tokenFrom: string;
}

export interface ConnectionFlags {
  url?: string | undefined;
  token?: string | undefined;
  config?: string | undefined;
}

interface FileSettings {
  path: string;
  url?: string;
  token?: string;
}

const KEYS = new Set(["url", "token"]);

function defaultConfigPath(env: NodeJS.ProcessEnv): string {
  const xdg = env.XDG_CONFIG_HOME;
  const dir = xdg ? xdg : join(env.HOME ?? homedir(), ".config");
  return join(dir, "palisade", "cli.yaml");
}

export function resolveConnection(flags: ConnectionFlags, env: NodeJS.ProcessEnv): Connection {
  const file = readSettings(flags, env);
  const fromFile = file ? `the config file ${file.path}` : "";
  const url = pick(flags.url, "--url", env.PALISADE_URL, "PALISADE_URL", file?.url, fromFile);
  const token = pick(
    flags.token,
    "--token",
    env.PALISADE_TOKEN,
    "PALISADE_TOKEN",
    file?.token,
    fromFile,
  );
  if (!url) {
    fail(
      message(
        "no Palisade URL.",
        "none of --url, PALISADE_URL or a config file (url:) gives it.",
        `pass --url https://<your host> (locally http://127.0.0.1:8787), export PALISADE_URL, or write url: in ${defaultConfigPath(env)}.`,
      ),
    );
  }
  if (!token) {
    fail(
      message(
        "no admin token.",
        "none of --token, PALISADE_TOKEN or a config file (token:) gives it.",
        `use the Worker's PALISADE_ADMIN_TOKEN secret (locally in .dev.vars): export PALISADE_TOKEN=… or write token: in ${defaultConfigPath(env)}.`,
      ),
    );
  }
  return {
    base: baseUrl(url.value, url.from),
    token: token.value,
    urlFrom: url.from,
    tokenFrom: token.from,
  };
}

function pick(
  ...candidates: Array<string | undefined>
): { value: string; from: string } | undefined {
  for (let i = 0; i < candidates.length; i += 2) {
    const value = candidates[i];
    if (value !== undefined && value.trim() !== "") {
      return { value: value.trim(), from: candidates[i + 1] ?? "" };
    }
  }
  return undefined;
}

/** `--config FILE` (or PALISADE_CONFIG) must exist; the default file is optional. */
function readSettings(flags: ConnectionFlags, env: NodeJS.ProcessEnv): FileSettings | undefined {
  const explicit = flags.config ?? (env.PALISADE_CONFIG || undefined);
  const path = explicit ?? defaultConfigPath(env);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    const code = e instanceof Error && "code" in e ? String(e.code) : "";
    if (explicit === undefined && code === "ENOENT") return undefined;
    fail(
      message(
        `cannot read the config file ${path}${code ? ` (${code})` : ""}.`,
        `${flags.config !== undefined ? "--config" : "PALISADE_CONFIG"} names it.`,
        "check the path and its permissions, or drop it and use --url and --token.",
      ),
    );
  }
  return settingsFrom(path, text);
}

const SHAPE = "write it as two lines: url: https://<host> and token: <admin token>.";

function settingsFrom(path: string, text: string): FileSettings {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    const first = (e as Error).message.split("\n")[0] ?? "";
    fail(message(`the config file ${path} is not valid YAML.`, first, SHAPE));
  }
  if (doc === null || doc === undefined) return { path };
  if (typeof doc !== "object" || Array.isArray(doc)) {
    fail(
      message(`the config file ${path} is not a mapping.`, "it holds a list or a scalar.", SHAPE),
    );
  }
  const out: FileSettings = { path };
  for (const [key, value] of Object.entries(doc)) {
    if (!KEYS.has(key)) {
      fail(
        message(
          `the config file ${path} has an unknown key ${JSON.stringify(key)}; it knows url and token.`,
          "a misspelt key would silently leave its setting to another source.",
          "rename or remove the key.",
        ),
      );
    }
    if (typeof value !== "string") {
      fail(
        message(
          `the config file ${path}: ${key} is not a string.`,
          "YAML read the value as a number, a list or a mapping.",
          `quote it: ${key}: "…".`,
        ),
      );
    }
    if (key === "url") out.url = value;
    else out.token = value;
  }
  return out;
}

/**
 * Accepts the Worker's URL as an operator would paste it: `https://host`,
 * `https://host/_palisade/` (a bouncer's api_url) or `…/_palisade/v1`.
 */
function baseUrl(raw: string, from: string): string {
  let u: URL | undefined;
  try {
    u = new URL(raw);
  } catch {
    u = undefined;
  }
  if (u === undefined || (u.protocol !== "http:" && u.protocol !== "https:")) {
    fail(
      message(
        `${JSON.stringify(raw)} (from ${from}) is not an http(s) URL.`,
        "the admin API is reached at the Worker's address, scheme included.",
        "give it like https://example.com (locally http://127.0.0.1:8787).",
      ),
    );
  }
  const path = u.pathname.replace(/\/+$/, "").replace(/\/_palisade(?:\/v1)?$/, "");
  return `${u.origin}${path}`;
}
