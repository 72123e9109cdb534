import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CommonsStatus, IpView } from "../../src/contract/commons-member";
import { runCli } from "./support/cli";
import { freePort, type LocalWorker, startLocalWorker, waitFor } from "./support/worker";

// The crowd at work (issue 12): a commons and four Palisade members, each a real Worker
// under wrangler dev with its own state. An attack replayed into the ingest of three
// members is reported to the commons as signals, listed by its consensus (three enrolled
// reporters, a certified pack scenario), pulled by the fourth member as a CAPI decision
// and answered 403 by that member's edge, which never saw the attacker. An address the
// fourth member allowlisted is listed too, and still let through there.

const ADMIN = "e2e-commons-admin-0123456789";
const ATTACKER = "45.155.205.99";
const PARTNER = "45.155.205.120";
const MEMBER_VARS = {
  KV_FLUSH_MS: "100",
  BLOCKLIST_REFRESH_MS: "0",
  COMMONS_PUSH_MS: "200",
  COMMONS_PULL_MS: "500",
};

/** Ports: PALISADE_E2E_PORT_BASE + i when set (a shared machine's range), else free ones. */
async function port(i: number): Promise<number> {
  const base = Number(process.env.PALISADE_E2E_PORT_BASE ?? "");
  return Number.isInteger(base) && base > 0 ? base + i : freePort();
}

function nginx(ip: string, ms: number, path: string): string {
  const d = new Date(ms);
  const months = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(" ");
  const p = (n: number) => String(n).padStart(2, "0");
  const t = `${p(d.getUTCDate())}/${months[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
  return `${ip} - - [${t}] "GET ${path} HTTP/1.1" 404 512 "-" "Mozilla/5.0 scanner"`;
}

/** Twelve distinct 404s within seconds: the pack's http-probing overflows. */
function probing(ip: string): string[] {
  const start = Date.now() - 20_000;
  return Array.from({ length: 12 }, (_, i) => nginx(ip, start + i * 500, `/admin-${i}.php`));
}

async function call<T>(
  w: LocalWorker,
  method: string,
  path: string,
  body?: unknown,
  token = w.adminToken,
): Promise<T> {
  const res = await fetch(`${w.base}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return JSON.parse(text) as T;
}

async function edge(w: LocalWorker, ip: string): Promise<number> {
  const res = await fetch(`${w.base}/`, { headers: { "CF-Connecting-IP": ip } });
  await res.arrayBuffer();
  return res.status;
}

describe("the commons at work: three members report, the fourth's edge answers 403", {
  timeout: 120_000,
}, () => {
  let commons: LocalWorker;
  let members: LocalWorker[] = [];

  beforeAll(async () => {
    const ports = await Promise.all([0, 1, 2, 3, 4].map(port));
    [commons, ...members] = await Promise.all([
      startLocalWorker({
        port: ports[0] as number,
        config: "wrangler.commons.toml",
        secrets: { COMMONS_ADMIN_TOKEN: ADMIN },
        vars: { COMMONS_PUBLISH_MS: "200", COMMONS_SHARDS: "4" },
      }),
      ...[1, 2, 3, 4].map((i) => startLocalWorker({ port: ports[i] as number, vars: MEMBER_VARS })),
    ]);
  }, 120_000);

  afterAll(async () => {
    await Promise.all([commons, ...members].filter(Boolean).map((w) => w.stop()));
  });

  it("lists an attacker three members saw and blocks it at a fourth, never an address it allowlisted", async () => {
    const { key } = await call<{ key: string }>(
      commons,
      "POST",
      "/v1/admin/enrollment-keys",
      { uses: 4 },
      ADMIN,
    );
    const [a, b, c, d] = members as [LocalWorker, LocalWorker, LocalWorker, LocalWorker];
    for (const [i, m] of [a, b, c].entries()) {
      const st = await call<CommonsStatus>(m, "POST", "/_palisade/v1/admin/commons/join", {
        url: commons.base,
        key,
        name: `member-${i + 1}`,
      });
      expect(st.joined).toBe(true);
    }
    // The fourth joins with the CLI, as an operator would, and allowlists a partner.
    const joined = await runCli(
      ["commons", "join", "--commons", commons.base, "--key", key, "--name", "member-4"],
      {
        env: { PALISADE_URL: d.base, PALISADE_TOKEN: d.adminToken },
      },
    );
    expect(joined.status, joined.stderr).toBe(0);
    expect(joined.stdout).toMatch(/Joined the commons/);
    await call(d, "POST", "/_palisade/v1/admin/allowlist", {
      value: PARTNER,
      reason: "our partner's scanner",
    });

    for (const m of [a, b, c]) {
      const res = await fetch(`${m.base}/_palisade/v1/ingest`, {
        method: "POST",
        headers: { Authorization: `Bearer ${m.machineToken}`, "Content-Type": "application/json" },
        body: JSON.stringify({
          batch_id: `attack-${crypto.randomUUID()}`,
          source: { type: "nginx" },
          lines: [...probing(ATTACKER), ...probing(PARTNER)],
        }),
      });
      expect(res.status, await res.text()).toBeLessThan(300);
    }

    const listed = await waitFor(
      "the commons to list the attacker and the partner",
      async () => {
        const [x, y] = await Promise.all(
          [ATTACKER, PARTNER].map((ip) =>
            call<{ listed: boolean; reporters: number }>(
              commons,
              "GET",
              `/v1/ip/${ip}`,
              undefined,
              ADMIN,
            ),
          ),
        );
        return x?.listed && y?.listed ? x : undefined;
      },
      45_000,
      250,
    );
    expect(listed.reporters).toBe(3);

    await waitFor(
      "the fourth member's edge to answer the attacker 403",
      async () => ((await edge(d, ATTACKER)) === 403 ? true : undefined),
      20_000,
      200,
    );
    const view = await call<IpView>(d, "GET", `/_palisade/v1/admin/ip/${ATTACKER}`);
    expect(view.alerts).toEqual([]);
    expect(view.decisions.filter((x) => x.active).map((x) => x.origin)).toEqual(["CAPI"]);
    expect(view.commons).toMatchObject({ joined: true, reputation: { listed: true } });

    // Listed by the commons, allowlisted here: through to the origin, no CAPI decision.
    expect(await edge(d, PARTNER)).not.toBe(403);
    const partner = await call<IpView>(d, "GET", `/_palisade/v1/admin/ip/${PARTNER}`);
    expect(partner.decisions.filter((x) => x.active)).toEqual([]);
    expect(partner.allowlist.allowlisted).toBe("operator");
    const st = await call<CommonsStatus>(d, "GET", "/_palisade/v1/admin/commons");
    expect(st.list_size).toBe(1);
    expect(st.last_error).toBeNull();
  });
});
