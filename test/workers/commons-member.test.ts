import { env, runInDurableObject } from "cloudflare:test";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { CommonsStatus, CommonsSync, IpView } from "../../src/contract/commons-member";
import type { AlertRecord, RecordItem } from "../../src/durable/ledger/records";
import { admin, adminOk, newBouncer, stream, values } from "./api-support";
import { ban, COMMONS, type FakeCommons, fakeCommons, GOOD_KEY } from "./commons-support";
import { edgeApp, visit } from "./edge-support";
import { blocklistFromKv, flushKv, ledger } from "./ingest-support";

// A member of a commons (issue 12) against an in-memory commons behind a stubbed fetch:
// join, pull into CAPI decisions enforced at the edge, push with resend after a lost
// acknowledgement, sharing and opt-out, allowlist and local precedence, local delete.

const LISTED = "203.0.113.50";
const ALLOWED = "203.0.113.60";
const LOCAL = "203.0.113.61";

// One commons for the file: the Ledger (a singleton) keeps its membership between tests.
let commons: FakeCommons;
beforeAll(() => {
  commons = fakeCommons();
});
afterAll(() => vi.restoreAllMocks());

function alert(ip: string, extra: Partial<AlertRecord> = {}): AlertRecord {
  const now = Date.now();
  return {
    scenario: "palisade/http-probing",
    message: `Ip ${ip} performed 'palisade/http-probing' (10 events)`,
    source: { scope: "Ip", value: ip, ip },
    events_count: 10,
    start_at: now - 5_000,
    stop_at: now,
    capacity: 10,
    leakspeed: 10,
    labels: {},
    remediation: true,
    events: [
      {
        Line: { Raw: `${ip} - - "GET /secret-path HTTP/1.1" 404 UA-secret`, Src: "x", Labels: {} },
        Parsed: { request: "/secret-path", http_user_agent: "UA-secret" },
        Meta: { source_ip: ip, http_path: "/secret-path", http_user_agent: "UA-secret" },
        Enriched: {},
        Unmarshaled: {},
        Time: new Date(now).toISOString(),
        Whitelisted: false,
      },
    ] as unknown as AlertRecord["events"],
    allowlisted: false,
    ...extra,
  };
}

async function recordAlert(a: AlertRecord, machine?: string): Promise<void> {
  const item: RecordItem = { ref: `t:${crypto.randomUUID()}`, alert: a, decisions: [] };
  if (machine) item.machine = machine;
  await ledger().record([item]);
}

const status = () => adminOk<CommonsStatus>("GET", "/commons");
const sync = () => adminOk<CommonsSync>("POST", "/commons/sync");
const capiValues = async () =>
  (
    await adminOk<{ decisions: { value: string }[] }>("GET", "/decisions?origin=CAPI&limit=1000")
  ).decisions
    .map((d) => d.value)
    .sort();

describe("joining a commons", () => {
  it("refuses a bad enrollment key with what, why and fix, and stays out", async () => {
    const res = await admin("POST", "/commons/join", { url: COMMONS, key: "wrong-key" });
    const body = (await res.json()) as { error: { message: string; path: string } };
    expect(res.status).toBe(422);
    expect(body.error.path).toBe("body.key");
    expect(body.error.message).toMatch(/refused to enroll.*fresh key/);
    expect((await status()).joined).toBe(false);
  });

  it("joins: credentials in the Ledger (never in KV), enrolled, the list pulled as CAPI decisions enforced at the edge", async () => {
    commons.list(LISTED);
    const res = await admin("POST", "/commons/join", {
      url: `${COMMONS}/`,
      key: GOOD_KEY,
      name: "site-a",
    });
    expect(res.status, await res.clone().text()).toBe(201);
    const st = (await res.json()) as CommonsStatus;
    expect(st).toMatchObject({
      joined: true,
      url: COMMONS,
      name: "site-a",
      pulling: true,
      list_size: 1,
      cursor: 1,
    });
    expect(commons.enrolled.size).toBe(1);
    const password = await runInDurableObject(
      ledger(),
      (_, state) =>
        state.storage.sql.exec<{ password: string }>("SELECT password FROM commons_member").one()
          .password,
    );
    expect(password).toMatch(/^[0-9a-f]{64}$/);
    await flushKv();
    const keys = await env.BLOCKLIST.list();
    for (const k of keys.keys) {
      const v = await env.BLOCKLIST.get(k.name, "text");
      expect(v ?? "").not.toContain(password);
    }
    expect(await capiValues()).toEqual([LISTED]);
    expect((await blocklistFromKv()).lookup({ ip: LISTED }, Date.now())?.type).toBe("ban");
    const edge = edgeApp(env.BLOCKLIST);
    expect((await visit(edge, "/", { ip: LISTED })).status).toBe(403);
  });

  it("serves the list to bouncers with origin CAPI, and their origins filter leaves it out", async () => {
    const key = await newBouncer();
    const all = await stream(key, "?startup=true");
    expect(all.new?.find((d) => d.value === LISTED)?.origin).toBe("CAPI");
    const local = await stream(await newBouncer(), "?startup=true&origins=crowdsec,cscli");
    expect(values(local.new)).not.toContain(LISTED);
  });

  it("never applies a listing the operator's allowlist covers; the edge lets it through", async () => {
    await adminOk("POST", "/allowlist", { value: ALLOWED, reason: "our monitoring" });
    commons.list(ALLOWED);
    const out = await sync();
    expect(out.pulled).toEqual({ added: 0, removed: 0 });
    expect(await capiValues()).not.toContain(ALLOWED);
    await flushKv();
    expect((await blocklistFromKv()).lookup({ ip: ALLOWED }, Date.now())).toBeUndefined();
    // The edge passes it to the origin (the stubbed network answers 599).
    expect((await visit(edgeApp(env.BLOCKLIST), "/", { ip: ALLOWED })).status).toBe(599);
  });

  it("lets the member's own decision win over the community's", async () => {
    await adminOk("POST", "/decisions", { ip: LOCAL, type: "captcha", duration: "1h" });
    commons.list(LOCAL);
    await sync();
    expect(await capiValues()).not.toContain(LOCAL);
    // A local decision recorded on a listed address ends the community one.
    await adminOk("POST", "/decisions", { ip: LISTED, type: "captcha", duration: "1h" });
    expect(await capiValues()).not.toContain(LISTED);
    await admin("DELETE", `/decisions?ip=${LISTED}`);
    await admin("DELETE", `/decisions?ip=${LOCAL}`);
  });

  it("keeps a local delete until the commons delists and relists the address", async () => {
    const again = "203.0.113.70";
    commons.list(again);
    await sync();
    expect(await capiValues()).toContain(again);
    const del = await adminOk<{ deleted: number }>("DELETE", `/decisions?origin=CAPI&ip=${again}`);
    expect(del.deleted).toBe(1);
    commons.list(again); // a renewal: still deleted here
    await sync();
    expect(await capiValues()).not.toContain(again);
    expect((await status()).suppressed).toBe(1);
    commons.delist(again);
    await sync();
    expect((await status()).suppressed).toBe(0);
    commons.list(again);
    await sync();
    expect(await capiValues()).toContain(again);
  });
});

describe("a large community list and the KV write budget", () => {
  it("applies 5,000 listings with a handful of KV writes (one compaction), not one per decision", async () => {
    const list = Array.from(
      { length: 5_000 },
      (_, i) => `11.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
    );
    commons.versions.push({ new: list.map((ip) => ban(ip)), deleted: [] });
    await flushKv();
    const before = (await ledger().kvStatus()).budget.today.writes;
    const out = await sync();
    expect(out.pulled?.added).toBe(5_000);
    await flushKv();
    const after = await ledger().kvStatus();
    expect(after.budget.today.writes - before).toBeLessThanOrEqual(4);
    const bl = await blocklistFromKv();
    for (const ip of [list[0], list[2_500], list[4_999]] as string[])
      expect(bl.lookup({ ip }, Date.now())?.type).toBe("ban");
    // Delisted in one version: ended in one flush too.
    commons.versions.push({ new: [], deleted: list.map((ip) => ban(ip)) });
    const gone = await sync();
    expect(gone.pulled?.removed).toBe(5_000);
    await flushKv();
    expect((await blocklistFromKv()).lookup({ ip: list[0] as string }, Date.now())).toBeUndefined();
  });
});

describe("pushing signals", () => {
  it("shares detected alerts with the pack's digest, never a log line or (by default) the context", async () => {
    const before = commons.signals.length;
    await recordAlert(alert("198.51.100.7"));
    expect((await status()).signals_pending).toBe(1);
    const out = await sync();
    expect(out.pushed).toBe(1);
    const sent = commons.signals.slice(before);
    expect(sent).toHaveLength(1);
    const s = sent[0] as unknown as Record<string, unknown>;
    expect(s.scenario).toBe("palisade/http-probing");
    expect(s.scenario_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(s.uuid).toMatch(/^[0-9a-f-]{36}$/);
    const text = JSON.stringify(s);
    expect(text).not.toContain("secret-path");
    expect(text).not.toContain("UA-secret");
    expect(s.context).toBeUndefined();
    expect((await status()).signals_shared).toBeGreaterThanOrEqual(1);
  });

  it("resends the same signal ids after a crash between send and acknowledgement", async () => {
    const before = commons.signals.length;
    await recordAlert(alert("198.51.100.8"));
    await recordAlert(alert("198.51.100.9"));
    commons.loseAnswers = 1;
    const res = await admin("POST", "/commons/sync");
    expect(res.status).toBe(502);
    const st = await status();
    expect(st.signals_pending).toBe(2);
    expect(st.last_error).toMatch(/connection reset/);
    const first = commons.signals.slice(before).map((s) => s.uuid);
    expect(first).toHaveLength(2);
    const out = await sync();
    expect(out.pushed).toBe(2);
    const second = commons.signals.slice(before + 2).map((s) => s.uuid);
    expect(second).toEqual(first);
    expect((await status()).signals_pending).toBe(0);
  });

  it("drops a batch the commons refuses as malformed instead of holding the rest back", async () => {
    await recordAlert(alert("198.51.100.30"));
    commons.refuseNext = 1;
    expect((await admin("POST", "/commons/sync")).status).toBe(502);
    const st = await status();
    expect(st.signals_pending).toBe(0);
    expect(st.last_error).toMatch(/1 signal\(s\) dropped: .*400/);
    await recordAlert(alert("198.51.100.31"));
    const before = commons.signals.length;
    expect((await sync()).pushed).toBe(1);
    expect(commons.signals.slice(before).map((s) => s.source.value)).toEqual(["198.51.100.31"]);
  });

  it("pushes from the Ledger's alarm when COMMONS_PUSH_MS has passed", async () => {
    const before = commons.signals.length;
    await recordAlert(alert("198.51.100.10"));
    const alarm = await runInDurableObject(ledger(), (_, state) => state.storage.getAlarm());
    expect(alarm).not.toBeNull();
    await runInDurableObject(ledger(), (_, state) =>
      state.storage.sql.exec("UPDATE meta SET value = 0 WHERE key = 'commons_push_try'"),
    );
    const { runDurableObjectAlarm } = await import("cloudflare:test");
    await runDurableObjectAlarm(ledger());
    expect(commons.signals.slice(before).map((s) => s.source.value)).toEqual(["198.51.100.10"]);
  });

  it("never shares allowlisted sources, nor manual decisions unless switched on; context when switched on", async () => {
    await recordAlert(alert("198.51.100.11", { allowlisted: true }));
    // cscli's decision through a watcher: its alert's decisions are of origin cscli.
    await ledger().record([
      {
        ref: `t:${crypto.randomUUID()}`,
        machine: "cscli-watcher",
        alert: alert("198.51.100.15", { scenario: "manual 'ban' from 'cscli-watcher'" }),
        decisions: [
          {
            type: "ban",
            scope: "Ip",
            value: "198.51.100.15",
            origin: "cscli",
            scenario: "manual 'ban' from 'cscli-watcher'",
            start: Date.now(),
            until: Date.now() + 3_600_000,
          },
        ],
      },
    ]);
    await adminOk("POST", "/decisions", { ip: "198.51.100.12", duration: "1h" });
    expect((await status()).signals_pending).toBe(0);
    await adminOk("POST", "/commons/sharing", { manual: true, context: true });
    await adminOk("POST", "/decisions", { ip: "198.51.100.13", duration: "1h" });
    await recordAlert(alert("198.51.100.14"));
    const before = commons.signals.length;
    await sync();
    const sent = commons.signals.slice(before) as unknown as Record<string, unknown>[];
    expect(sent.map((s) => (s.source as { value: string }).value).sort()).toEqual([
      "198.51.100.13",
      "198.51.100.14",
    ]);
    const detected = sent.find((s) => (s.source as { value: string }).value === "198.51.100.14");
    expect(detected?.context).toEqual([
      { key: "target_uri", value: "/secret-path" },
      { key: "user_agent", value: "UA-secret" },
    ]);
    await adminOk("POST", "/commons/sharing", { manual: false, context: false });
  });
});

describe("opting out and the one view of an address", () => {
  it("shows an address as known here and as the commons sees it", async () => {
    commons.list("203.0.113.80");
    await sync();
    const v = await adminOk<IpView>("GET", "/ip/203.0.113.80");
    expect(v.decisions.map((d) => d.origin)).toContain("CAPI");
    expect(v.commons).toMatchObject({ joined: true, reputation: { listed: true, reporters: 3 } });
    expect(v.allowlist.allowlisted).toBeNull();
  });

  it("stops the pull when nothing is shared, ends the community decisions, and says so", async () => {
    expect((await capiValues()).length).toBeGreaterThan(0);
    const st = await adminOk<CommonsStatus>("POST", "/commons/sharing", { alerts: false });
    expect(st.pulling).toBe(false);
    expect(st.list_size).toBe(0);
    await recordAlert(alert("198.51.100.20"));
    expect((await status()).signals_pending).toBe(0);
    const calls = commons.streamCalls;
    commons.list("203.0.113.90");
    const out = await sync();
    expect(out.pulled).toBeNull();
    expect(commons.streamCalls).toBe(calls);
    expect(await capiValues()).toEqual([]);
    // Sharing again pulls the whole list again.
    await adminOk("POST", "/commons/sharing", { alerts: true });
    await sync();
    expect(await capiValues()).toContain("203.0.113.90");
  });
});
