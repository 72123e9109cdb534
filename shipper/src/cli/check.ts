/**
 * `--check`: the config is valid (already, or this is not reached), the sources lead
 * somewhere, the state directory is usable, and the Worker accepts the token. The Worker
 * is reached with a real, empty ingest request (`lines: []`, batch id `check-<hostname>`,
 * so repeated checks are deduplicated and count nothing): it proves URL, TLS, token and
 * route in one authenticated request.
 */
import { constants } from "node:fs";
import { access, mkdir } from "node:fs/promises";
import { delimiter, isAbsolute, join, resolve } from "node:path";
import type { ShipperConfig } from "../config/shipper-config";
import type { Transport } from "../delivery/transport";
import { expandGlob, isExcluded } from "../sources/glob";

export interface CheckLine {
  ok: boolean;
  text: string;
}

async function executable(cmd: string): Promise<boolean> {
  const dirs =
    isAbsolute(cmd) || cmd.includes("/") ? [""] : (process.env.PATH ?? "").split(delimiter);
  for (const d of dirs) {
    const ok = await access(d === "" ? cmd : join(d, cmd), constants.X_OK).then(
      () => true,
      () => false,
    );
    if (ok) return true;
  }
  return false;
}

async function readable(path: string): Promise<boolean> {
  return access(path, constants.R_OK).then(
    () => true,
    () => false,
  );
}

async function checkSources(c: ShipperConfig, baseDir: string): Promise<CheckLine[]> {
  const out: CheckLine[] = [];
  for (const [i, s] of c.sources.entries()) {
    const name = `sources[${i}] (${s.kind}, type ${s.type})`;
    if (s.kind === "journald") {
      const ok = await executable(c.journalctlPath);
      out.push({
        ok,
        text: ok
          ? `${name}: ${c.journalctlPath} found`
          : `${name}: ${c.journalctlPath} not found or not executable (set journalctl_path)`,
      });
    } else if (s.kind === "stdin") out.push({ ok: true, text: `${name}: reads standard input` });
    else
      out.push(
        ...(await checkFiles(
          name,
          s.paths.map((p) => resolve(baseDir, p)),
          s.exclude,
        )),
      );
  }
  return out;
}

async function checkFiles(
  name: string,
  patterns: string[],
  exclude: string[],
): Promise<CheckLine[]> {
  let found = 0;
  const unreadable: string[] = [];
  for (const p of patterns)
    for (const f of (await expandGlob(p, "/")).files) {
      if (
        isExcluded(f, exclude) ||
        !(await access(f).then(
          () => true,
          () => false,
        ))
      )
        continue;
      found++;
      if (!(await readable(f))) unreadable.push(f);
    }
  if (unreadable.length > 0)
    return [
      {
        ok: false,
        text: `${name}: cannot read ${unreadable.join(", ")} (permissions: run as a user in the log files' group, e.g. adm)`,
      },
    ];
  return [
    {
      ok: true,
      text: `${name}: ${found} file(s) match now${found === 0 ? " (new files matching will be picked up)" : ""}`,
    },
  ];
}

async function checkStateDir(dir: string): Promise<CheckLine> {
  try {
    await mkdir(dir, { recursive: true });
    await access(dir, constants.W_OK);
    return { ok: true, text: `state_dir ${dir}: writable` };
  } catch (e) {
    return { ok: false, text: `state_dir ${dir}: not writable (${(e as Error).message})` };
  }
}

const WHY: Record<number, string> = {
  401: "the token was refused: check token / token_file (a machine token, not the admin token)",
  403: "the token was refused: check token / token_file (a machine token, not the admin token)",
  404: "no ingest endpoint there: url must be the Worker's base URL (the shipper adds /_palisade/v1/ingest)",
};

async function checkWorker(
  c: ShipperConfig,
  transport: Transport,
  hostname: string,
  now: () => number,
): Promise<CheckLine[]> {
  // One empty batch per source type: the Worker checks the type (a built-in parser, or
  // one installed at runtime with `palisade parsers add`) before the batch id, so the
  // same id serves them all and nothing is counted.
  const types = [...new Set(c.sources.map((s) => s.type))];
  if (types.length === 0) types.push("nginx");
  const out: CheckLine[] = [];
  for (const type of types) {
    const body = Buffer.from(
      JSON.stringify({ batch_id: `check-${hostname}`, source: { type, labels: {} }, lines: [] }),
    );
    const t0 = now();
    const res = await transport.post(body, false);
    const ms = now() - t0;
    const about = types.length > 1 ? ` (type ${type})` : "";
    if (res.kind === "ok") {
      out.push({
        ok: true,
        text: `Worker ${c.url}: token accepted${about} (HTTP ${res.status}, ${ms} ms)`,
      });
      continue;
    }
    const status = "status" in res ? res.status : undefined;
    const why =
      status === 422 && res.reason.includes("unknown_source_type")
        ? `no parser for source type ${JSON.stringify(type)}: install one on the Worker (palisade parsers add FILE) or use a built-in type (nginx, apache2, syslog, traefik, journald)`
        : status !== undefined
          ? (WHY[status] ?? res.reason)
          : `unreachable: ${res.reason}`;
    out.push({ ok: false, text: `Worker ${c.url}: ${why}` });
    // An unreachable Worker or a refused token is the same for every type.
    if (status !== 422) break;
  }
  return out;
}

export async function runCheck(
  c: ShipperConfig,
  transport: Transport,
  baseDir: string,
  hostname: string,
  now: () => number,
): Promise<CheckLine[]> {
  const lines = await checkSources(c, baseDir);
  if (c.stateDir !== "") lines.push(await checkStateDir(c.stateDir));
  lines.push(...(await checkWorker(c, transport, hostname, now)));
  return lines;
}
