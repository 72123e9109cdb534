import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { diagnose, type Finding, type Plan } from "./doctor";
import { fail, renderProblem } from "./errors";
import { parseFlags } from "./flags";
import { readWranglerConfig } from "./wrangler-config";

export const DOCTOR_USAGE = `Usage:
  palisade doctor [--config wrangler.toml] [--env NAME] [--secrets FILE] [--plan free|paid]

Before a real deploy (npm run preflight): reads wrangler.toml (with [env.NAME] applied)
and flags placeholder KV ids, Turnstile's test keys, PALISADE_ENV=local, secrets in
[vars], a KV write rate over the plan's budget, missing bindings, queues and triggers.
--secrets FILE (NAME=value lines, like .dev.vars) checks the secrets you will set too:
missing, example or test values, short tokens. Exit 1 when anything is an error.`;

/** NAME=value lines (comments and blank lines ignored; a value may be quoted). */
export function readDotenv(path: string): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    return fail(
      `cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? "error"}).`,
      "--secrets names the file of secrets to check.",
      "check the path.",
    );
  }
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (!m || line.trimStart().startsWith("#")) continue;
    out[m[1] as string] = (m[2] as string).replace(/^"(.*)"$|^'(.*)'$/, "$1$2");
  }
  return out;
}

function planOf(value: string | undefined): Plan {
  if (value === undefined || value === "free") return "free";
  if (value === "paid") return "paid";
  return fail(
    `--plan ${JSON.stringify(value)} is not a plan.`,
    "the plan decides the KV write budget (free: 1,000 writes a day).",
    "use --plan free or --plan paid.",
  );
}

export function runDoctor(args: string[]): void {
  const { values, positionals } = parseFlags(
    {
      name: "doctor",
      usage: DOCTOR_USAGE,
      options: {
        config: { type: "string" },
        env: { type: "string" },
        secrets: { type: "string" },
        plan: { type: "string" },
      },
    },
    args,
  );
  if (positionals.length > 0)
    fail(
      `unexpected argument ${JSON.stringify(positionals[0])}.`,
      "palisade doctor takes flags only.",
      "see palisade doctor --help.",
    );
  const path = values.config ?? "wrangler.toml";
  const config = readWranglerConfig(path, values.env);
  const example = join(dirname(path), ".dev.vars.example");
  const findings = diagnose({
    config,
    secrets: values.secrets === undefined ? undefined : readDotenv(values.secrets),
    exampleSecrets: existsSync(example) ? Object.values(readDotenv(example)) : [],
    plan: planOf(values.plan),
  });
  report(findings, path, values.env);
}

function report(findings: readonly Finding[], path: string, env: string | undefined): void {
  for (const f of findings) process.stdout.write(`${f.severity}: ${renderProblem(f)}\n`);
  const errors = findings.filter((f) => f.severity === "error").length;
  const warnings = findings.length - errors;
  const what = env === undefined ? path : `${path} [env.${env}]`;
  process.stderr.write(
    `palisade doctor: ${what}: ${errors} error(s), ${warnings} warning(s)${errors === 0 ? "; ready to deploy" : ""}\n`,
  );
  if (errors > 0) process.exitCode = 1;
}
