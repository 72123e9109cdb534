// `npm run start:commons`: the commons Worker (wrangler.commons.toml) under `wrangler dev`,
// state in .wrangler/commons-state, then a short demo over CrowdSec's Central API: three
// enrolled members report an attacker, one that is not enrolled reports another address,
// and a fourth member's pull shows the first listed and the second not.
import { spawn } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { appendFileSync, copyFileSync, existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { jsonCall } from "./json-call.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const PORT = Number(process.env.PORT ?? 8789);
const base = `http://127.0.0.1:${PORT}`;
const ATTACKER = "45.155.205.233";
const LONE = "91.121.77.30";

function devVars() {
  const read = (f) =>
    Object.fromEntries(
      readFileSync(f, "utf8")
        .split("\n")
        .filter((l) => /^[A-Z_]+=/.test(l))
        .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1).trim()]),
    );
  if (!existsSync(`${root}.dev.vars`)) {
    copyFileSync(`${root}.dev.vars.example`, `${root}.dev.vars`);
    console.log("npm run start:commons: created .dev.vars from .dev.vars.example (local secrets)");
  }
  let vars = read(`${root}.dev.vars`);
  if (!vars.COMMONS_ADMIN_TOKEN) {
    const token = read(`${root}.dev.vars.example`).COMMONS_ADMIN_TOKEN;
    appendFileSync(`${root}.dev.vars`, `\nCOMMONS_ADMIN_TOKEN=${token}\n`);
    console.log("npm run start:commons: added COMMONS_ADMIN_TOKEN to .dev.vars");
    vars = read(`${root}.dev.vars`);
  }
  return vars;
}

const admin = devVars().COMMONS_ADMIN_TOKEN;
const wrangler = spawn(
  process.execPath,
  [
    `${root}node_modules/wrangler/bin/wrangler.js`,
    "dev",
    "-c",
    "wrangler.commons.toml",
    "--ip",
    "127.0.0.1",
    "--port",
    String(PORT),
    "--persist-to",
    `${root}.wrangler/commons-state`,
    "--var",
    "COMMONS_PUBLISH_MS:1000",
  ],
  {
    cwd: root,
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
  },
);
wrangler.stdout.on("data", (d) => process.stdout.write(d));
const stop = () => wrangler.kill("SIGINT");
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
wrangler.on("exit", (code) => process.exit(code ?? 0));

const call = (method, path, body, token) => jsonCall(base, method, path, body, token);

async function member(name, enrolled = true) {
  const machine_id = randomBytes(24).toString("hex").slice(0, 48);
  const password = randomBytes(32).toString("hex");
  await call("POST", "/v2/watchers", { machine_id, password });
  const { token } = await call("POST", "/v2/watchers/login", {
    machine_id,
    password,
    scenarios: [],
  });
  if (enrolled) {
    const { key } = await call(
      "POST",
      "/v1/admin/enrollment-keys",
      { note: "npm run start:commons" },
      admin,
    );
    await call(
      "POST",
      "/v2/watchers/enroll",
      { attachment_key: key, name, tags: ["demo"], overwrite: false },
      token,
    );
  }
  return { machine_id, token };
}

function signal(ip) {
  const now = Date.now();
  return {
    scenario: "crowdsecurity/ssh-bf",
    scenario_version: "0.3",
    scenario_hash: "242f36684d66bbae3044e576b7cfffef62d5323465f3f74f87923167c6d93356",
    scenario_trust: "certified",
    message: `Ip ${ip} performed 'crowdsecurity/ssh-bf' (6 events over 3s)`,
    source: { ip, scope: "Ip", value: ip },
    start_at: new Date(now - 3000).toISOString(),
    stop_at: new Date(now).toISOString(),
    uuid: randomUUID(),
  };
}

for (let i = 0; ; i++) {
  try {
    if ((await fetch(`${base}/`)).ok) break;
  } catch {}
  if (i > 240) throw new Error(`the commons did not come up on port ${PORT}`);
  await new Promise((r) => setTimeout(r, 500));
}
const sites = [await member("demo-a"), await member("demo-b"), await member("demo-c")];
for (const s of sites) await call("POST", "/v2/signals", [signal(ATTACKER)], s.token);
const stranger = await member("demo-unenrolled", false);
await call("POST", "/v2/signals", [signal(LONE)], stranger.token);
const reader = await member("demo-reader");
let pulled = { new: [] };
for (let i = 0; i < 20 && !pulled.new.some((d) => d.value === ATTACKER); i++) {
  await new Promise((r) => setTimeout(r, 500));
  pulled = await call("GET", "/v2/decisions/stream?startup=true", undefined, reader.token);
}
const values = pulled.new.map((d) => d.value);
console.log(`
The commons is running at ${base} (CrowdSec's Central API at /v2/, the admin API at /v1/admin/).
Demo: 3 enrolled members reported ${ATTACKER}, a member that is not enrolled reported ${LONE}.
A member's pull now lists ${values.includes(ATTACKER) ? ATTACKER : "nothing yet"}${values.includes(LONE) ? ` and ${LONE}` : ` (not ${LONE})`}.

  export PALISADE_URL=${base} PALISADE_TOKEN=${admin}
  npx palisade commons why ${ATTACKER}        # why it is listed
  npx palisade commons why ${LONE}          # why it is not
  npx palisade commons members list
  npx palisade commons keys add               # a key for a CrowdSec engine: cscli console enroll KEY

A CrowdSec engine joins by registering (POST ${base}/v2/watchers, or cscli capi register and
then url: ${base}/ in online_api_credentials.yaml) and enrolling with a key.
Ctrl-C stops it; state persists in .wrangler/commons-state.
`);
