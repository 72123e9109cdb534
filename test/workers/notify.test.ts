import {
  createExecutionContext,
  createMessageBatch,
  getQueueResult,
  runDurableObjectAlarm,
  runInDurableObject,
} from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { NotifyMessage } from "../../src/contract/notify";
import type { Env } from "../../src/env";
import {
  channelsOf,
  consumeNotify,
  hmacHex,
  notificationRequest,
  SIGNATURE_HEADER,
} from "../../src/notify/index";
import { adminOk } from "./api-support";
import { ledger } from "./ingest-support";
import { claimsOf, login, machine } from "./watcher-support";

// Notifications: payloads and signatures per channel type, delivery with retries and the
// dead-letter queue (the consumer against a stub receiver), grouping and rate limits in
// the Ledger (a wave of alerts gives a few messages).

const CHANNELS = `
type: http
name: hook
url: https://hooks.example/in
method: PUT
headers: {Authorization: "token abc"}
format: |
  {{range .}}{{.Scenario}} {{.Source.IP}}{{range .Decisions}} {{.Type}}/{{.Duration}}{{end}};{{end}}
max_retry: 2
---
type: slack
name: chat
webhook: https://slack.example/services/T/B/x
---
type: signed
name: signed
url: https://siem.example/palisade
secret: a-long-shared-secret-0123
group_threshold: 5
max_alerts: 5
rate_limit: 1/h
profiles: ["palisade/ssh"]
`;

const alert = {
  id: 7,
  machine_id: "palisade",
  created_at: "2026-12-04T10:00:00Z",
  scenario: "palisade/ssh-bf",
  scenario_hash: "",
  scenario_version: "",
  message: "Ip 203.0.113.9 performed 'palisade/ssh-bf'",
  events_count: 6,
  start_at: "2026-12-04T09:59:50Z",
  stop_at: "2026-12-04T10:00:00Z",
  capacity: 5,
  leakspeed: "10s",
  simulated: false,
  labels: null,
  source: { scope: "Ip", value: "203.0.113.9", ip: "203.0.113.9" },
  events: null,
  decisions: [
    {
      duration: "3h59m",
      id: 3,
      origin: "palisade",
      scenario: "palisade/ssh-bf",
      scope: "Ip",
      type: "ban",
      uuid: "u",
      simulated: false,
      value: "203.0.113.9",
    },
  ],
};

function message(channel: string, suppressed = 0): NotifyMessage {
  return {
    channel,
    id: crypto.randomUUID(),
    alerts: [alert],
    suppressed,
    created_at: "2026-12-04T10:00:00Z",
  };
}

const set = () => channelsOf(CHANNELS);
const channel = (name: string) => {
  const c = set().channels.get(name);
  if (!c) throw new Error(`no channel ${name}: ${set().errors.join("; ")}`);
  return c;
};

afterEach(() => {
  vi.restoreAllMocks();
});

describe("notification payloads", () => {
  it("http: CrowdSec's template over the alerts, the channel's method and headers", async () => {
    const req = await notificationRequest(channel("hook"), message("hook", 3), 1_700_000_000);
    expect(req.method).toBe("PUT");
    expect(req.url).toBe("https://hooks.example/in");
    expect(req.headers.get("Authorization")).toBe("token abc");
    expect(req.headers.get("X-Palisade-Suppressed")).toBe("3");
    expect(await req.text()).toBe("palisade/ssh-bf 203.0.113.9 ban/3h59m;\n");
  });

  it("slack: a text message from the default format", async () => {
    const req = await notificationRequest(channel("chat"), message("chat", 2), 1_700_000_000);
    const body = (await req.json()) as { text: string };
    expect(body.text).toContain(
      "203.0.113.9 will get ban for next 3h59m for triggering palisade/ssh-bf on machine 'palisade'.",
    );
    expect(body.text).toContain("2 more alerts held back");
  });

  it("signed: a JSON body a receiver verifies with the shared secret", async () => {
    const msg = message("signed");
    const req = await notificationRequest(channel("signed"), msg, 1_700_000_000);
    const body = await req.text();
    const sig = req.headers.get(SIGNATURE_HEADER) ?? "";
    const [, t, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(sig) ?? [];
    expect(t).toBe("1700000000");
    expect(v1).toBe(await hmacHex("a-long-shared-secret-0123", `${t}.${body}`));
    expect(v1).not.toBe(await hmacHex("another-secret-000000000", `${t}.${body}`));
    expect(JSON.parse(body)).toMatchObject({
      channel: "signed",
      id: msg.id,
      alerts: [{ scenario: "palisade/ssh-bf" }],
    });
  });

  it("reports a bad channel and keeps the good ones", () => {
    const s = channelsOf(
      `type: http\nname: a\n---\ntype: carrier-pigeon\nname: b\n---\ntype: signed\nname: c\nurl: https://x.example\n`,
    );
    expect([...s.channels.keys()]).toEqual([]);
    expect(s.errors.join("\n")).toMatch(/document 0 \(a\): url is required/);
    expect(s.errors.join("\n")).toMatch(/document 1: type:/);
    expect(s.errors.join("\n")).toMatch(/document 2 \(c\): secret is required/);
  });
});

describe("delivery: retries and the dead-letter queue", () => {
  const withChannels = { ...(env as Env), PALISADE_NOTIFICATIONS: CHANNELS };

  it("acknowledges a message the receiver accepts and counts it", async () => {
    const hits: Request[] = [];
    vi.spyOn(globalThis, "fetch").mockImplementation(async (input) => {
      hits.push(input as Request);
      return new Response("ok");
    });
    const batch = createMessageBatch("palisade-notify", [
      { id: "m1", timestamp: new Date(), attempts: 1, body: message("hook") },
    ]);
    await consumeNotify(batch, withChannels);
    const r = await getQueueResult(batch, createExecutionContext());
    expect(r.explicitAcks).toEqual(["m1"]);
    expect(hits).toHaveLength(1);
  });

  it("retries a failed delivery with a growing delay, then gives up to the dead-letter queue", async () => {
    vi.spyOn(globalThis, "fetch").mockImplementation(
      async () => new Response("down", { status: 503 }),
    );
    const first = createMessageBatch("palisade-notify", [
      { id: "a", timestamp: new Date(), attempts: 1, body: message("hook") },
      { id: "b", timestamp: new Date(), attempts: 2, body: message("hook") },
    ]);
    const retries = first.messages.map((m) => vi.spyOn(m, "retry"));
    await consumeNotify(first, withChannels);
    const r1 = await getQueueResult(first, createExecutionContext());
    expect(r1.retryMessages.map((m: { msgId: string }) => m.msgId)).toEqual(["a", "b"]);
    expect(retries.map((r) => r.mock.calls[0]?.[0])).toEqual([
      { delaySeconds: 10 },
      { delaySeconds: 20 },
    ]);
    const dead: unknown[] = [];
    const dlq = { send: async (b: unknown) => void dead.push(b) } as unknown as Queue;
    const last = createMessageBatch("palisade-notify", [
      { id: "c", timestamp: new Date(), attempts: 3, body: message("hook") },
    ]);
    await consumeNotify(last, { ...withChannels, NOTIFY_DLQ: dlq });
    const r2 = await getQueueResult(last, createExecutionContext());
    expect(r2.explicitAcks).toEqual(["c"]);
    expect(dead).toMatchObject([
      { channel: "hook", given_up: true, attempts: 3, error: "HTTP 503" },
    ]);
    const kept = await ledger().notifyDead();
    expect(kept[0]).toMatchObject({ channel: "hook", attempts: 3, error: "HTTP 503", alerts: 1 });
    // What the console's metrics page shows of it.
    const listed = await adminOk<{ dead: unknown[] }>("GET", "/notifications");
    expect(listed.dead[0]).toMatchObject({ channel: "hook", attempts: 3, error: "HTTP 503" });
  });
});

describe("grouping and rate limits in the Ledger", () => {
  it("a wave of 40 alerts gives one message of 5 within a 1/h limit, the rest waiting or counted", async () => {
    const sent: NotifyMessage[] = [];
    const stub = ledger();
    await runInDurableObject(stub, (instance) => {
      const e = (instance as unknown as { env: Env }).env;
      e.PALISADE_NOTIFICATIONS = CHANNELS;
      e.NOTIFY_QUEUE = { send: async (m: NotifyMessage) => void sent.push(m) } as unknown as Queue;
    });
    const wave = Array.from({ length: 40 }, (_, i) => ({
      scenario: "crowdsecurity/ssh-bf",
      message: "",
      source: { scope: "Ip", value: `198.51.100.${i + 1}` },
      remediation: true,
      events_count: 6,
      start_at: new Date().toISOString(),
      stop_at: new Date().toISOString(),
    }));
    const agent = await machine();
    const mid = claimsOf(await login(agent.name, agent.token)).mid;
    const ids = await stub.pushAlerts({ machine: agent.name, mid }, wave as never);
    expect(ids).toHaveLength(40);
    // The group is due at once (40 ≥ group_threshold): the alarm may already have run.
    await runDurableObjectAlarm(stub);
    await vi.waitFor(() => expect(sent).toHaveLength(1));
    expect(sent[0]?.channel).toBe("signed");
    expect(sent[0]?.alerts.map((a) => a.source.value)).toEqual(
      wave.slice(0, 5).map((a) => a.source.value),
    );
    expect(sent[0]?.suppressed).toBe(20);
    expect(sent[0]?.alerts[0]?.decisions?.[0]).toMatchObject({ type: "ban", origin: "crowdsec" });
    // The hour's one message is spent: the next alarm sends nothing, the rest waits.
    await runDurableObjectAlarm(stub);
    expect(sent).toHaveLength(1);
    const o = await stub.observe();
    expect(o.notifications.find((n) => n.channel === "signed")).toMatchObject({
      pending: 15,
      suppressed: 20,
    });
  });
});
