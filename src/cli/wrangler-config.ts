import { readFileSync } from "node:fs";
import { parse } from "smol-toml";
import { fail } from "./errors";

/**
 * The Worker's wrangler.toml as `palisade doctor` (and the tests that keep it consistent
 * with the code) read it: the parts Palisade depends on, typed loosely, since an operator's
 * file may lack any of them.
 */

export interface QueueConsumer {
  queue: string;
  max_batch_size?: number;
  max_retries?: number;
  dead_letter_queue?: string;
}

export interface WranglerConfig {
  path: string;
  name?: string;
  vars: Record<string, unknown>;
  kvNamespaces: { binding?: string; id?: string }[];
  durableObjects: { name?: string; class_name?: string }[];
  queueProducers: { binding?: string; queue?: string }[];
  queueConsumers: QueueConsumer[];
  crons: string[];
  routes: unknown[];
  /** `[env.NAME]` sections, for `--env`. */
  envs: Record<string, Record<string, unknown>>;
  raw: Record<string, unknown>;
}

function record(v: unknown): Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v)
    ? (v as Record<string, unknown>)
    : {};
}

function list<T>(v: unknown): T[] {
  return Array.isArray(v) ? (v as T[]) : [];
}

/** The config as wrangler applies `[env.NAME]` over the top level (one level deep). */
export function wranglerConfigOf(
  raw: Record<string, unknown>,
  path: string,
  env?: string,
): WranglerConfig {
  const envs = record(raw.env) as Record<string, Record<string, unknown>>;
  const top = env === undefined ? raw : { ...raw, ...record(envs[env]) };
  const queues = record(top.queues);
  const triggers = record(top.triggers);
  const out: WranglerConfig = {
    path,
    vars: record(top.vars),
    kvNamespaces: list(top.kv_namespaces),
    durableObjects: list(record(top.durable_objects).bindings),
    queueProducers: list(queues.producers),
    queueConsumers: list(queues.consumers),
    crons: list(triggers.crons),
    routes: [...list(top.routes), ...(top.route === undefined ? [] : [top.route])],
    envs,
    raw: top,
  };
  if (typeof top.name === "string") out.name = top.name;
  return out;
}

export function readWranglerConfig(path: string, env?: string): WranglerConfig {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? "";
    return fail(
      `cannot read ${path}${code ? ` (${code})` : ""}.`,
      "palisade doctor checks the Worker's wrangler.toml.",
      "run it from the project folder, or give --config PATH.",
    );
  }
  let raw: Record<string, unknown>;
  try {
    raw = parse(text) as Record<string, unknown>;
  } catch (e) {
    return fail(
      `${path} is not valid TOML.`,
      (e as Error).message.split("\n")[0] ?? "a syntax error",
      "fix the file (wrangler deploy would refuse it too).",
    );
  }
  if (env !== undefined && record(raw.env)[env] === undefined)
    fail(
      `${path} has no [env.${env}].`,
      `--env ${env} names a wrangler environment.`,
      `use one of: ${Object.keys(record(raw.env)).join(", ") || "(none defined)"}.`,
    );
  return wranglerConfigOf(raw, path, env);
}
