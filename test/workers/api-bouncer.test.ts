import { createExecutionContext, runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import { pullSettings } from "../../src/api/bouncer";
import type { Bouncer } from "../../src/contract/admin-access";
import { ingestResponseSchema } from "../../src/contract/ingest";
import { lapiDecisionListSchema } from "../../src/contract/lapi";
import worker from "../../src/worker";
import {
  API,
  admin,
  adminOk,
  BOUNCER_IP,
  ban,
  bouncer,
  CROWDSEC_DECISION_KEYS,
  GO_DURATION,
  HOUR,
  newBouncer,
  record,
  seconds,
  stream,
  unique,
  values,
} from "./api-support";
import { batch, failedSsh, ledger, postIngest } from "./ingest-support";

const defaultPage = pullSettings.pageSize;
afterEach(() => {
  pullSettings.pageSize = defaultPage;
});

describe("bouncer authentication", () => {
  it("answers a missing or unknown key 403 with CrowdSec's error body", async () => {
    for (const key of [null, "not-a-key"]) {
      for (const path of ["/decisions", "/decisions/stream", "/decisions/stream?startup=true"]) {
        const res = await bouncer(path, { key });
        expect(res.status).toBe(403);
        const body = (await res.json()) as { message: string; error: { code: string } };
        expect(body.message).toBe("access forbidden");
        expect(body.error.code).toBe("access_forbidden");
      }
    }
  });

  it("stops accepting a key once the admin API revokes it", async () => {
    const name = unique("revoked");
    const out = await adminOk<{ api_key: string }>("POST", "/bouncers", { name });
    expect((await bouncer("/decisions", { key: out.api_key })).status).toBe(200);
    expect((await admin("DELETE", `/bouncers/${name}`)).status).toBe(200);
    expect((await bouncer("/decisions", { key: out.api_key })).status).toBe(403);
  });
});

describe("GET /v1/decisions", () => {
  it("answers null when nothing matches, and CrowdSec's decision JSON when something does", async () => {
    const key = await newBouncer();
    const ip = "203.0.113.1";
    const none = await bouncer(`/decisions?ip=${ip}`, { key });
    expect(none.status).toBe(200);
    expect(await none.text()).toBe("null");
    const d = await ban(ip, { duration: "4h" });
    const res = await bouncer(`/decisions?ip=${ip}`, { key });
    const raw: unknown = await res.json();
    expect(lapiDecisionListSchema.parse(raw)).toHaveLength(1);
    const got = (raw as Record<string, unknown>[])[0] as Record<string, unknown>;
    expect(Object.keys(got)).toEqual(CROWDSEC_DECISION_KEYS);
    expect(got).toMatchObject({ id: d.id, uuid: d.uuid, origin: "cscli", type: "ban" });
    expect(got).toMatchObject({ scope: "Ip", value: ip, scenario: "manual 'ban' from 'admin'" });
    expect(got.duration).toMatch(GO_DURATION);
    // Time remaining, not the full duration: at most 4h, and not much less.
    expect(seconds(got.duration as string)).toBeLessThanOrEqual(4 * 3600);
    expect(seconds(got.duration as string)).toBeGreaterThan(4 * 3600 - 60);
  });

  it("filters by ip (ranges containing it), range (contains=false), type, scope and value", async () => {
    const key = await newBouncer();
    const r = await adminOk<{ decision: { id: number } }>("POST", "/decisions", {
      range: "198.51.100.0/24",
      type: "captcha",
    });
    const inside = await ban("198.51.100.7");
    await ban("198.51.101.7");
    const byIp = lapiDecisionListSchema.parse(
      await (await bouncer("/decisions?ip=198.51.100.7", { key })).json(),
    );
    expect(byIp?.map((d) => d.id).sort()).toEqual([r.decision.id, inside.id].sort());
    const within = lapiDecisionListSchema.parse(
      await (await bouncer("/decisions?range=198.51.100.0/24&contains=false", { key })).json(),
    );
    expect(within?.map((d) => d.value).sort()).toEqual(["198.51.100.0/24", "198.51.100.7"]);
    const captchas = lapiDecisionListSchema.parse(
      await (await bouncer("/decisions?ip=198.51.100.7&type=captcha", { key })).json(),
    );
    expect(captchas?.map((d) => d.id)).toEqual([r.decision.id]);
    const byValue = lapiDecisionListSchema.parse(
      await (await bouncer("/decisions?scope=ip&value=198.51.101.7", { key })).json(),
    );
    expect(byValue?.map((d) => d.value)).toEqual(["198.51.101.7"]);
  });

  it("rejects a filter it cannot read with 400 naming it", async () => {
    const key = await newBouncer();
    const res = await bouncer("/decisions?ip=not-an-ip", { key });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { message: string; error: { path: string } };
    expect(body.error.path).toBe("query.ip");
    expect(body.message).toContain("not-an-ip");
    const bad = await bouncer("/decisions/stream?startup=maybe", { key });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { path: string } }).error.path).toBe("query.startup");
  });

  it("answers HEAD with 200 and no body", async () => {
    const key = await newBouncer();
    const res = await bouncer("/decisions", { key, method: "HEAD" });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("");
    expect((await bouncer("/decisions", { key: "nope", method: "HEAD" })).status).toBe(403);
  });
});

describe("GET /v1/decisions/stream", () => {
  it("dumps every active decision on startup, then only what changed, null when nothing did", async () => {
    const key = await newBouncer();
    const word = unique("dump");
    await record([
      { value: "203.0.113.20", scenario: `x/${word}` },
      { value: "203.0.113.21", scenario: `x/${word}` },
    ]);
    const q = `?scenarios_containing=${word}`;
    const first = await stream(key, `?startup=true&scenarios_containing=${word}`);
    expect(values(first.new)).toEqual(["203.0.113.20", "203.0.113.21"]);
    expect(first.deleted).toBeNull();
    const quiet = await stream(key, q);
    expect(quiet.text).toBe('{"new":null,"deleted":null}');
    expect(quiet.cursor).toBeGreaterThanOrEqual(first.cursor);
    await record([{ value: "203.0.113.22", scenario: `x/${word}` }]);
    const next = await stream(key, q);
    expect(values(next.new)).toEqual(["203.0.113.22"]);
    expect(next.deleted).toBeNull();
    const raw = JSON.parse(next.text) as { new: Record<string, unknown>[] };
    for (const d of raw.new) {
      expect(Object.keys(d)).toEqual(CROWDSEC_DECISION_KEYS);
      expect(d.duration).toMatch(GO_DURATION);
    }
  });

  it("sends a decision deleted by hand as deleted, with a duration that is over", async () => {
    const key = await newBouncer();
    const ip = "203.0.113.30";
    await stream(key, "?startup=true");
    const d = await ban(ip);
    expect(values((await stream(key)).new)).toContain(ip);
    expect((await admin("DELETE", `/decisions/${d.id}`)).status).toBe(200);
    const after = await stream(key);
    expect(after.new).toBeNull();
    expect(after.deleted?.map((x) => [x.id, x.value])).toEqual([[d.id, ip]]);
    expect(seconds(after.deleted?.[0]?.duration ?? "1s")).toBeLessThanOrEqual(0);
  });

  it("sends an expired decision as deleted once the Ledger's alarm has run", async () => {
    const key = await newBouncer();
    const word = unique("expiry");
    await stream(key, "?startup=true");
    const [id] = await record([{ value: "203.0.113.40", scenario: `x/${word}`, ms: 1_200 }]);
    expect((await stream(key)).new?.map((d) => d.id)).toContain(id);
    await new Promise((r) => setTimeout(r, 1_300));
    await runDurableObjectAlarm(ledger());
    const after = await stream(key);
    expect(after.deleted?.map((d) => d.id)).toContain(id);
    expect((await ledger().decision(id as number))?.deleted_reason).toBe("expired");
  });

  it("keeps one cursor per (key, client IP): two instances sharing a key both get a change", async () => {
    const key = await newBouncer();
    const a = "192.0.2.101";
    const b = "192.0.2.102";
    await stream(key, "?startup=true", a);
    await stream(key, "?startup=true", b);
    const d = await ban("203.0.113.50");
    expect(values((await stream(key, "", a)).new)).toContain(d.value);
    expect(values((await stream(key, "", b)).new)).toContain(d.value);
    expect((await stream(key, "", a)).new).toBeNull();
    const list = await adminOk<{ bouncers: Bouncer[] }>("GET", "/bouncers");
    const mine = list.bouncers.find((x) => x.instances.some((i) => i.ip === a));
    expect(mine?.instances.map((i) => i.ip).sort()).toEqual([a, b]);
    expect(mine?.user_agent).toBe("crowdsec-firewall-bouncer/v0.0.25");
    expect(mine?.last_pull).not.toBeNull();
  });

  it("treats a first pull without startup as a startup, and offers a client-held since= cursor", async () => {
    const key = await newBouncer();
    const word = unique("since");
    const [first] = await record([{ value: "203.0.113.60", scenario: `x/${word}` }]);
    const q = `&scenarios_containing=${word}`;
    const initial = await stream(key, `?scenarios_containing=${word}`, "192.0.2.60");
    expect(initial.new?.map((d) => d.id)).toEqual([first]);
    const [second] = await record([{ value: "203.0.113.61", scenario: `x/${word}` }]);
    // since= reads from the client's own position and leaves the server cursor alone.
    const replay = await stream(key, `?since=${initial.cursor}${q}`, "192.0.2.60");
    expect(replay.new?.map((d) => d.id)).toEqual([second]);
    const again = await stream(key, `?since=${initial.cursor}${q}`, "192.0.2.60");
    expect(again.new?.map((d) => d.id)).toEqual([second]);
    const server = await stream(key, `?scenarios_containing=${word}`, "192.0.2.60");
    expect(server.new?.map((d) => d.id)).toEqual([second]);
  });

  it("sends ip and range by default; scopes, origins and scenario words narrow it", async () => {
    const key = await newBouncer();
    const word = unique("scopes");
    await record([
      { value: "203.0.113.70", scenario: `crowdsecurity/ssh-${word}`, origin: "crowdsec" },
      { value: "203.0.113.0/28", scope: "Range", scenario: `x/http-${word}`, origin: "cscli" },
      { value: "FR", scope: "Country", scenario: `x/geo-${word}`, origin: "cscli" },
      { value: "64496", scope: "AS", scenario: `x/asn-${word}`, origin: "CAPI" },
    ]);
    const w = `scenarios_containing=${word}`;
    expect(values((await stream(key, `?startup=true&${w}`)).new)).toEqual([
      "203.0.113.0/28",
      "203.0.113.70",
    ]);
    const all = await stream(key, `?startup=true&${w}&scopes=ip,range,country,AS`);
    expect(values(all.new)).toEqual(["203.0.113.0/28", "203.0.113.70", "64496", "FR"].sort());
    const cscli = await stream(key, `?startup=true&${w}&scopes=ip,range,country&origins=cscli`);
    expect(values(cscli.new)).toEqual(["203.0.113.0/28", "FR"]);
    const ssh = await stream(
      key,
      `?startup=true&scenarios_containing=ssh-${word},geo-${word}&scopes=ip,country`,
    );
    expect(values(ssh.new)).toEqual(["203.0.113.70", "FR"]);
    const notSsh = await stream(key, `?startup=true&${w}&scenarios_not_containing=SSH`);
    expect(values(notSsh.new)).toEqual(["203.0.113.0/28"]);
  });

  it("sends one decision per (value, type, scope), the longest, chosen after filtering", async () => {
    const key = await newBouncer();
    const word = unique("dedupe");
    const ip = "203.0.113.80";
    const [local, community] = await record([
      { value: ip, scenario: `x/${word}`, origin: "palisade", ms: 4 * HOUR },
      { value: ip, scenario: `x/${word}`, origin: "CAPI", ms: 24 * HOUR },
      { value: ip, scenario: `x/${word}`, origin: "palisade", ms: 2 * HOUR, type: "captcha" },
    ]);
    const w = `scenarios_containing=${word}`;
    const dump = await stream(key, `?startup=true&${w}`);
    expect(dump.new?.filter((d) => d.type === "ban").map((d) => d.id)).toEqual([community]);
    expect(dump.new?.filter((d) => d.type === "captcha")).toHaveLength(1);
    // CrowdSec keeps the longest before filtering by origin, hiding the local ban; Palisade filters first.
    const localOnly = await stream(key, `?startup=true&${w}&origins=palisade`);
    expect(localOnly.new?.filter((d) => d.type === "ban").map((d) => d.id)).toEqual([local]);
  });

  it("does not delete a value another active decision still covers", async () => {
    const key = await newBouncer();
    const word = unique("cover");
    const ip = "203.0.113.90";
    const [short, long] = await record([
      { value: ip, scenario: `x/${word}`, ms: HOUR },
      { value: ip, scenario: `x/${word}`, ms: 3 * HOUR },
    ]);
    const w = `?scenarios_containing=${word}`;
    await stream(key, `?startup=true&scenarios_containing=${word}`);
    await admin("DELETE", `/decisions/${short}`);
    expect((await stream(key, w)).deleted).toBeNull();
    await admin("DELETE", `/decisions/${long}`);
    const gone = await stream(key, w);
    expect(gone.deleted?.map((d) => d.id)).toEqual([long]);
  });

  it("streams a startup dump larger than one Ledger page as one valid JSON answer", async () => {
    pullSettings.pageSize = 4;
    const key = await newBouncer();
    const word = unique("pages");
    const ips = Array.from({ length: 11 }, (_, i) => `203.0.114.${i + 1}`);
    await record(ips.map((value) => ({ value, scenario: `x/${word}` })));
    const dump = await stream(key, `?startup=true&scenarios_containing=${word}`);
    expect(values(dump.new)).toEqual([...ips].sort());
    // The cursor moved after the last page: nothing new on the next pull.
    expect((await stream(key, `?scenarios_containing=${word}`)).new).toBeNull();
  });

  it("streams a startup dump page by page, never whole, and gzips it for clients that accept it", async () => {
    pullSettings.pageSize = 50;
    const key = await newBouncer();
    const word = unique("dump");
    const ips = Array.from({ length: 600 }, (_, i) => `203.0.${116 + (i >> 8)}.${i & 255}`);
    await record(ips.map((value) => ({ value, scenario: `x/${word}` })));
    const path = `/decisions/stream?startup=true&scenarios_containing=${word}`;
    const plain = await bouncer(path, { key });
    expect(plain.headers.get("Content-Encoding")).toBeNull();
    // The body arrives as the Ledger's pages: many chunks, none larger than a page.
    const chunks = await chunksOf(plain.body);
    const bytes = chunks.reduce((n, c) => n + c.byteLength, 0);
    expect(chunks.length).toBeGreaterThanOrEqual(ips.length / 50);
    expect(Math.max(...chunks.map((c) => c.byteLength))).toBeLessThan(50 * 400);
    const text = new TextDecoder().decode(concat(chunks));
    expect(values(JSON.parse(text).new)).toEqual([...ips].sort());
    // Go's HTTP client (every CrowdSec bouncer) asks for gzip by default. (Called in
    // process: a fetch through the runtime would hand back the body already inflated.)
    const gz = await worker.fetch(
      new Request(`${API}${path}`, {
        headers: { "X-Api-Key": key, "CF-Connecting-IP": BOUNCER_IP, "Accept-Encoding": "gzip" },
      }),
      env,
      createExecutionContext(),
    );
    expect(gz.headers.get("Content-Encoding")).toBe("gzip");
    expect(gz.headers.get("Vary")).toBe("Accept-Encoding");
    const packed = concat(await chunksOf(gz.body));
    expect(packed.byteLength).toBeLessThan(bytes / 4);
    const unpacked = await new Response(
      new Blob([packed]).stream().pipeThrough(new DecompressionStream("gzip")),
    ).text();
    expect(values(JSON.parse(unpacked).new)).toEqual([...ips].sort());
    // An incremental poll is a few bytes: sent as they are.
    const poll = await bouncer(`/decisions/stream?scenarios_containing=${word}`, {
      key,
      headers: { "Accept-Encoding": "gzip" },
    });
    expect(poll.headers.get("Content-Encoding")).toBeNull();
    expect(await poll.text()).toBe('{"new":null,"deleted":null}');
  });

  it("answers HEAD without moving the cursor", async () => {
    const key = await newBouncer();
    await stream(key, "?startup=true", BOUNCER_IP);
    const d = await ban("203.0.113.95");
    const head = await bouncer("/decisions/stream", { key, method: "HEAD" });
    expect(head.status).toBe(200);
    expect(values((await stream(key)).new)).toContain(d.value);
  });
});

describe("a detected IPv6 attacker", () => {
  it("is served as its /64 and as its own address (what single-address bouncers hold); lifting the /64 lifts both", async () => {
    const key = await newBouncer();
    await stream(key, "?startup=true");
    const attacker = "2001:db8:6:7::5";
    const now = Date.now();
    const lines = Array.from({ length: 8 }, (_, i) => failedSsh(attacker, now - 30_000 + i * 1000));
    const res = await postIngest(batch(lines, "syslog"));
    expect(res.status).toBe(200);
    const body = ingestResponseSchema.parse(await res.json());
    expect(body).toMatchObject({ alerts: 1, decisions: 2 });
    const pulled = await stream(key);
    const served = (pulled.new ?? []).filter((d) => d.value.startsWith("2001:db8:6:7:"));
    expect(served.map((d) => `${d.scope}:${d.value}:${d.type}:${d.origin}`).sort()).toEqual([
      "Ip:2001:db8:6:7::5:ban:palisade",
      "Range:2001:db8:6:7::/64:ban:palisade",
    ]);
    expect(served[0]?.duration).toBe(served[1]?.duration);
    // An operator lifts the /64: the address goes with it, in the same pull's `deleted`.
    const ended = await adminOk<{ deleted: number }>(
      "DELETE",
      `/decisions?range=${encodeURIComponent("2001:db8:6:7::/64")}`,
    );
    expect(ended.deleted).toBe(2);
    expect(values((await stream(key)).deleted)).toEqual(["2001:db8:6:7::/64", "2001:db8:6:7::5"]);
  });
});

async function chunksOf(body: ReadableStream<Uint8Array> | null): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  if (!body) return out;
  const reader = body.getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return out;
    out.push(value);
  }
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}
