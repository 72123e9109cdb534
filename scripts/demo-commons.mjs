// `npm run demo:commons`: the crowd at work, locally. A commons (wrangler.commons.toml) and
// four Palisade members (wrangler.toml), each a Worker under `wrangler dev` with its own
// state in a temporary folder. The members join with an enrollment key; an attack is
// replayed into the ingest of three of them; the commons lists the attacker (three
// enrolled reporters, a certified scenario); the fourth member, which never saw it,
// pulls the list and its edge answers 403. Each step prints the curl that shows it.
// Ports: DEMO_PORT (default 8790) for the commons, the next four for the members.
// `--keep` leaves them running (Ctrl-C stops them); otherwise they stop at the end.
import { spawn, spawnSync } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { jsonCall } from "./json-call.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const BASE_PORT = Number(process.env.DEMO_PORT ?? 8790);
const KEEP = process.argv.includes("--keep");
const ATTACKER = "45.155.205.99";
const PARTNER = "45.155.205.120";
const COMMONS_TOKEN = `demo-commons-${randomBytes(8).toString("hex")}`;
const children = [];

function step(n, text) {
  console.log(`\n\x1b[1m${n}. ${text}\x1b[0m`);
}
function show(cmd) {
  console.log(`   $ ${cmd}`);
}

function start(name, port, config, secrets, vars) {
  const dir = mkdtempSync(join(tmpdir(), `palisade-demo-${name}-`));
  const envFile = join(dir, "secrets.env");
  writeFileSync(
    envFile,
    `PALISADE_ENV=local\n${Object.entries(secrets)
      .map(([k, v]) => `${k}=${v}\n`)
      .join("")}`,
  );
  const args = [
    `${root}node_modules/wrangler/bin/wrangler.js`,
    "dev",
    ...(config ? ["-c", config] : []),
    ...["--ip", "127.0.0.1", "--port", String(port), "--inspector-port", "0"],
    ...["--persist-to", join(dir, "state"), "--env-file", envFile],
    "--show-interactive-dev-session=false",
    ...Object.entries(vars).flatMap(([k, v]) => ["--var", `${k}:${v}`]),
  ];
  const child = spawn(process.execPath, args, {
    cwd: root,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", NO_COLOR: "1", CI: "1" },
  });
  let log = "";
  const keep = (d) => {
    log = (log + d.toString()).slice(-20_000);
  };
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  const w = { name, base: `http://127.0.0.1:${port}`, child, dir, log: () => log, ...secrets };
  children.push(w);
  return w;
}

async function ready(w) {
  const deadline = Date.now() + 90_000;
  while (!/Ready on http/.test(w.log())) {
    if (w.child.exitCode !== null) throw new Error(`${w.name}: wrangler dev exited:\n${w.log()}`);
    if (Date.now() > deadline)
      throw new Error(`${w.name}: wrangler dev did not start:\n${w.log()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function stopAll() {
  for (const w of children) {
    try {
      process.kill(-w.child.pid, "SIGINT");
    } catch {}
  }
  setTimeout(() => {
    for (const w of children) {
      try {
        process.kill(-w.child.pid, "SIGKILL");
      } catch {}
      rmSync(w.dir, { recursive: true, force: true });
    }
    process.exit(process.exitCode ?? 0);
  }, 3_000);
}
process.on("SIGINT", stopAll);
process.on("SIGTERM", stopAll);

async function waitFor(what, check, ms = 60_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check().catch(() => undefined);
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

function nginx(ip, ms, path) {
  const d = new Date(ms);
  const months = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(" ");
  const p = (n) => String(n).padStart(2, "0");
  const t = `${p(d.getUTCDate())}/${months[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
  return `${ip} - - [${t}] "GET ${path} HTTP/1.1" 404 512 "-" "Mozilla/5.0 scanner"`;
}

function probing(ip) {
  const start = Date.now() - 20_000;
  return Array.from({ length: 12 }, (_, i) => nginx(ip, start + i * 500, `/admin-${i}.php`));
}

async function edge(w, ip) {
  const res = await fetch(`${w.base}/`, { headers: { "CF-Connecting-IP": ip } });
  await res.arrayBuffer();
  return res.status;
}

function palisade(w, args) {
  const out = spawnSync(process.execPath, [`${root}bin/palisade.mjs`, ...args], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, PALISADE_URL: w.base, PALISADE_TOKEN: w.PALISADE_ADMIN_TOKEN },
  });
  return (out.stdout + out.stderr).trimEnd().replace(/^/gm, "   ");
}

async function main() {
  step(
    1,
    `Starting a commons on :${BASE_PORT} and four members on :${BASE_PORT + 1}-${BASE_PORT + 4} (wrangler dev)`,
  );
  const commons = start(
    "commons",
    BASE_PORT,
    "wrangler.commons.toml",
    { COMMONS_ADMIN_TOKEN: COMMONS_TOKEN },
    {
      COMMONS_PUBLISH_MS: "500",
      COMMONS_SHARDS: "4",
    },
  );
  const members = [1, 2, 3, 4].map((i) =>
    start(
      `member-${i}`,
      BASE_PORT + i,
      null,
      {
        PALISADE_ADMIN_TOKEN: `demo-admin-${i}-${randomBytes(8).toString("hex")}`,
        PALISADE_MACHINE_TOKEN: `demo-machine-${i}-${randomBytes(8).toString("hex")}`,
      },
      {
        KV_FLUSH_MS: "200",
        BLOCKLIST_REFRESH_MS: "0",
        COMMONS_PUSH_MS: "500",
        COMMONS_PULL_MS: "1000",
        ORIGIN_URL: "http://127.0.0.1:9",
      },
    ),
  );
  await Promise.all([commons, ...members].map(ready));
  for (const w of [commons, ...members]) console.log(`   ${w.name.padEnd(9)} ${w.base}`);
  const [a, b, c, d] = members;

  step(2, "The commons' operator mints an enrollment key for four members");
  show(
    `curl -s -X POST -H 'Authorization: Bearer ${COMMONS_TOKEN}' -d '{"uses":4}' ${commons.base}/v1/admin/enrollment-keys`,
  );
  const { key } = await jsonCall(
    commons.base,
    "POST",
    "/v1/admin/enrollment-keys",
    { uses: 4, note: "demo" },
    COMMONS_TOKEN,
  );
  console.log(`   key: ${key}`);

  step(3, "Each member joins (register, login, enroll; its credentials stay in its Ledger)");
  for (const m of members) {
    await jsonCall(
      m.base,
      "POST",
      "/_palisade/v1/admin/commons/join",
      { url: commons.base, key, name: m.name },
      m.PALISADE_ADMIN_TOKEN,
    );
    console.log(`   ${m.name} joined`);
  }
  show(
    `PALISADE_URL=${d.base} PALISADE_TOKEN=${d.PALISADE_ADMIN_TOKEN} npx palisade commons join --commons ${commons.base} --key KEY`,
  );

  step(4, `Member 4 allowlists a partner's scanner, ${PARTNER}`);
  await jsonCall(
    d.base,
    "POST",
    "/_palisade/v1/admin/allowlist",
    { value: PARTNER, reason: "partner's scanner" },
    d.PALISADE_ADMIN_TOKEN,
  );
  show(
    `PALISADE_URL=${d.base} PALISADE_TOKEN=${d.PALISADE_ADMIN_TOKEN} npx palisade allowlist add ${PARTNER} --reason "partner's scanner"`,
  );

  step(
    5,
    `An attack (http-probing) by ${ATTACKER} and ${PARTNER} is replayed into members 1-3's ingest; member 4 never sees it`,
  );
  for (const m of [a, b, c]) {
    await jsonCall(
      m.base,
      "POST",
      "/_palisade/v1/ingest",
      {
        batch_id: `demo-${randomUUID()}`,
        source: { type: "nginx" },
        lines: [...probing(ATTACKER), ...probing(PARTNER)],
      },
      m.PALISADE_MACHINE_TOKEN,
    );
    show(
      `curl -s -X POST -H 'Authorization: Bearer ${m.PALISADE_MACHINE_TOKEN}' -d @attack.json ${m.base}/_palisade/v1/ingest`,
    );
  }

  step(
    6,
    "Members 1-3 push their alerts as signals; three enrolled reporters: the commons lists the attacker",
  );
  const rep = await waitFor("the commons to list the attacker", async () => {
    const r = await jsonCall(commons.base, "GET", `/v1/ip/${ATTACKER}`, undefined, COMMONS_TOKEN);
    return r.listed ? r : undefined;
  });
  show(`curl -s -H 'Authorization: Bearer ${COMMONS_TOKEN}' ${commons.base}/v1/ip/${ATTACKER}`);
  console.log(
    `   listed: ${rep.listed}, reporters: ${rep.reporters}, scenarios: ${rep.scenarios.join(", ")}`,
  );

  step(7, "Member 4 pulls the community list (origin CAPI) and its edge answers the attacker 403");
  await waitFor("member 4's edge to answer 403", async () =>
    (await edge(d, ATTACKER)) === 403 ? true : undefined,
  );
  show(`curl -s -o /dev/null -w '%{http_code}\\n' -H 'CF-Connecting-IP: ${ATTACKER}' ${d.base}/`);
  console.log(`   ${await edge(d, ATTACKER)}`);
  show(
    `curl -s -o /dev/null -w '%{http_code}\\n' -H 'CF-Connecting-IP: ${PARTNER}' ${d.base}/   # listed, but allowlisted here`,
  );
  console.log(`   ${await edge(d, PARTNER)} (through to the origin, which the demo does not run)`);

  step(8, "What member 4 knows of the attacker, and what the commons says");
  show(
    `PALISADE_URL=${d.base} PALISADE_TOKEN=${d.PALISADE_ADMIN_TOKEN} npx palisade ip ${ATTACKER}`,
  );
  console.log(palisade(d, ["ip", ATTACKER]));
  show(
    `PALISADE_URL=${a.base} PALISADE_TOKEN=${a.PALISADE_ADMIN_TOKEN} npx palisade commons status`,
  );
  console.log(palisade(a, ["commons", "status"]));

  if (KEEP) {
    console.log("\nThe commons and the members keep running; Ctrl-C stops them.");
    return;
  }
  console.log("\nDone: the crowd at work. (npm run demo:commons -- --keep leaves them running.)");
  stopAll();
}

main().catch((e) => {
  console.error(`demo:commons failed: ${e.message}`);
  for (const w of children) console.error(`--- ${w.name}\n${w.log().slice(-3_000)}`);
  process.exitCode = 1;
  stopAll();
});
