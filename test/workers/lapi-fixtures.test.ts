import { exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { type Exchange, RECORDED, shapeDiff } from "../support/crowdsec-fixtures";
import { API, adminOk, newBouncer } from "./api-support";
import { machine } from "./watcher-support";

// The real tools' recorded sessions (test/fixtures/crowdsec: cscli 1.4.6 and the crowdsec
// agent against CrowdSec's own LAPI) replayed against Palisade in their recorded order:
// each request as the tool sent it (ids translated to Palisade's), and each answer
// compared with CrowdSec's: the same status, the same keys with the same JSON types
// (Palisade adds only a decision's `uuid`), the same alerts returned, the same counts
// deleted.

type Alert = {
  id: number;
  scenario: string;
  source: { value: string };
  decisions: { id: number; value: string; type: string }[] | null;
};

/** CrowdSec's ids → Palisade's, learnt from answers that list the same alerts. */
const alertIds = new Map<number, number>();
const decisionIds = new Map<number, number>();

function translate(url: string): string {
  return url.replace(/^\/v1\/(alerts|decisions)\/(\d+)$/, (_, what: string, id: string) => {
    const ids = what === "alerts" ? alertIds : decisionIds;
    return `/v1/${what}/${ids.get(Number(id)) ?? `unknown-${id}`}`;
  });
}

const keyOf = (a: Alert) => `${a.scenario} ${a.source.value}`;

/** Pairs the alerts of two listings by scenario and source, learning their ids. */
function pairAlerts(ours: Alert[], theirs: Alert[]): [Alert, Alert][] {
  const byKey = new Map(ours.map((a) => [keyOf(a), a]));
  return theirs.flatMap((t) => {
    const o = byKey.get(keyOf(t));
    if (!o) return [];
    alertIds.set(t.id, o.id);
    for (const d of t.decisions ?? []) {
      const mine = o.decisions?.find((x) => x.value === d.value && x.type === d.type);
      if (mine) decisionIds.set(d.id, mine.id);
    }
    return [[o, t]];
  });
}

async function replay(e: Exchange, who: { name: string; token: string }, jwt: string) {
  const headers = new Headers({ Authorization: `Bearer ${jwt}` });
  let body = e.request.body;
  if (e.request.url === "/v1/watchers/login") {
    body = { ...(body as object), machine_id: who.name, password: who.token };
  }
  if (body !== null) headers.set("Content-Type", "application/json");
  const res = await exports.default.fetch(`${API}${translate(e.request.url).slice(3)}`, {
    method: e.request.method,
    headers,
    ...(body === null ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text === "" ? null : (JSON.parse(text) as unknown) };
}

/**
 * Where Palisade answers otherwise on purpose (the README lists them):
 * - `include_capi=false` (cscli's default): CrowdSec 1.4.6 keeps only alerts with a
 *   `crowdsec` or `cscli` decision, which hides `decisions import` (`cscli-import`) from
 *   `cscli decisions list`; Palisade, like CrowdSec from 1.5 on, leaves out only the
 *   community blocklist's and lists' alerts.
 * - Deleting a decision already ended: CrowdSec 1.4.6 counts it again (it only moves its
 *   end); Palisade answers 0.
 */
function hiddenByCrowdsec(url: string, a: Alert): boolean {
  return url.includes("include_capi=false") && a.scenario.startsWith("add: ");
}

function compare(e: Exchange, ours: unknown): string[] {
  const theirs = e.response.body;
  const path = e.request.url.split("?")[0] ?? "";
  if (path === "/v1/alerts" && e.request.method === "POST") {
    (theirs as string[]).forEach((id, i) => {
      alertIds.set(Number(id), Number((ours as string[])[i]));
    });
    return shapeDiff(ours, theirs);
  }
  if (path === "/v1/alerts" && e.request.method === "GET") {
    const t = (theirs ?? []) as Alert[];
    const o = ((ours ?? []) as Alert[]).filter((a) => !hiddenByCrowdsec(e.request.url, a));
    const pairs = pairAlerts(o, t);
    const diffs = pairs.flatMap(([a, b]) => shapeDiff(a, b, ["uuid"], `[${keyOf(b)}]`));
    const same = [o.map(keyOf).sort(), t.map(keyOf).sort()];
    if (JSON.stringify(same[0]) !== JSON.stringify(same[1])) {
      diffs.push(
        `alerts: Palisade ${JSON.stringify(same[0])}, CrowdSec ${JSON.stringify(same[1])}`,
      );
    }
    return diffs;
  }
  if (/^\/v1\/alerts\/\d+$/.test(path) && e.request.method === "GET") {
    pairAlerts([ours as Alert], [theirs as Alert]);
    return shapeDiff(ours, theirs, ["uuid"]);
  }
  if (e.request.method === "DELETE") {
    if (/^\/v1\/decisions\/\d+$/.test(path) && JSON.stringify(ours) === '{"nbDeleted":"0"}') {
      return []; // Already ended: see above.
    }
    const o = JSON.stringify(ours);
    return o === JSON.stringify(theirs) ? [] : [`answer ${o}, CrowdSec ${JSON.stringify(theirs)}`];
  }
  return shapeDiff(ours, theirs);
}

describe("cscli's and the agent's recorded session, replayed", () => {
  const session = [...RECORDED.cscli, ...RECORDED.agent].sort((a, b) => a.n - b.n);
  const results: { e: Exchange; status: number; diffs: string[] }[] = [];

  beforeAll(async () => {
    const who = await machine();
    let jwt = "";
    for (const e of session) {
      const out = await replay(e, who, jwt);
      if (e.request.url === "/v1/watchers/login" && out.status === 200) {
        jwt = (out.body as { token: string }).token;
      }
      results.push({ e, status: out.status, diffs: compare(e, out.body) });
    }
  });

  it("answers every request with CrowdSec's status", () => {
    const wrong = results
      .filter((r) => r.status !== r.e.response.status)
      .map((r) => `${r.e.request.method} ${r.e.request.url}: ${r.status}`);
    expect(wrong).toEqual([]);
  });

  it.each([
    ["logins", /^\/v1\/watchers\/login/],
    ["alert pushes (decisions add, import; the agent)", /^\/v1\/alerts$/],
    ["alert listings (decisions list, alerts list)", /^\/v1\/alerts\?/],
    ["one alert (alerts inspect)", /^\/v1\/alerts\/\d+$/],
    ["decision deletes", /^\/v1\/decisions/],
  ])("%s: CrowdSec's keys and types, the same alerts and counts", (_, url) => {
    const mine = results.filter((r) => url.test(r.e.request.url));
    expect(mine.length).toBeGreaterThan(0);
    expect(
      mine.flatMap((r) => r.diffs.map((d) => `${r.e.request.method} ${r.e.request.url} ${d}`)),
    ).toEqual([]);
  });

  it("gives the agent's ssh-bf and ssh-slow-bf on one burst the same 4h ban", async () => {
    const page = await adminOk<{
      decisions: { scenario: string; value: string; until: string; created_at: string }[];
    }>("GET", "/decisions?ip=203.0.113.77&all=true");
    const hours = page.decisions
      .filter((d) => d.scenario.startsWith("crowdsecurity/ssh"))
      .map((d) => [
        d.scenario,
        Math.round((Date.parse(d.until) - Date.parse(d.created_at)) / 3_600_000),
      ])
      .sort();
    expect(hours).toEqual([
      ["crowdsecurity/ssh-bf", 4],
      ["crowdsecurity/ssh-slow-bf", 4],
    ]);
  });
});

describe("crowdsec-custom-bouncer's recorded stream, replayed", () => {
  it("answers startup and later pulls with CrowdSec's keys and types", async () => {
    const key = await newBouncer();
    await adminOk("POST", "/decisions", { ip: "203.0.113.98", duration: "1h" });
    const diffs: string[] = [];
    for (const e of RECORDED.customBouncer) {
      const res = await exports.default.fetch(`${API}${e.request.url.slice(3)}`, {
        headers: { "X-Api-Key": key, "User-Agent": e.request.headers["user-agent"] ?? "" },
      });
      expect(res.status).toBe(e.response.status);
      const ours = (await res.json()) as { new: unknown[] | null; deleted: unknown[] | null };
      const theirs = e.response.body as { new: unknown[] | null; deleted: unknown[] | null };
      // Compare the decisions wherever both sides have some.
      for (const k of ["new", "deleted"] as const) {
        const [a] = ours[k] ?? [];
        const [b] = theirs[k] ?? [];
        if (a !== undefined && b !== undefined) diffs.push(...shapeDiff(a, b, ["uuid"], k));
      }
    }
    expect(diffs).toEqual([]);
  });
});
