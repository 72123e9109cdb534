import { runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { apiRoutes } from "../../src/api/index";
import { createApp } from "../../src/app";
import { adminAlertPageSchema, adminDecisionPageSchema } from "../../src/contract/admin";
import { lapiDecisionStreamSchema, watcherLoginResponseSchema } from "../../src/contract/lapi";
import {
  ADMIN_TOKEN,
  API,
  admin,
  adminOk,
  GO_DURATION,
  HOUR,
  newBouncer,
  stream,
  unique,
} from "./api-support";
import { flushKv, ledger, stateSnapshot } from "./ingest-support";

/**
 * Issue 10, item 1: one duration bound on every path into the Ledger (the admin API,
 * watchers' alerts, the allowlist, the profiles) — positive, at most Go's time.Duration
 * maximum and MAX_DECISION_DURATION — refused with 422 naming the field, nothing stored;
 * and a row the Ledger cannot render never takes a listing down.
 */

type ErrorJson = { error: { code: string; path?: string; message: string } };

async function refused(res: Response, path: string): Promise<string> {
  const text = await res.text();
  expect(res.status, text).toBe(422);
  const e = (JSON.parse(text) as ErrorJson).error;
  expect(e.path).toBe(path);
  return e.message;
}

afterEach(() => {
  vi.restoreAllMocks();
});

const ABSURD = "99999999999h";

describe("admin decisions", () => {
  it("refuses an absurd duration with 422 naming body.duration, stores nothing, and the listings still answer", async () => {
    await flushKv();
    const before = await stateSnapshot();
    const message = await refused(
      await admin("POST", "/decisions", { ip: "198.51.100.97", duration: ABSURD }),
      "body.duration",
    );
    expect(message).toContain(ABSURD);
    expect(message).toContain("Go's longest duration");
    expect(await stateSnapshot()).toEqual(before);
    const list = adminDecisionPageSchema.parse(
      await adminOk("GET", "/decisions?ip=198.51.100.97&all=true"),
    );
    expect(list.decisions).toEqual([]);
    adminAlertPageSchema.parse(await adminOk("GET", "/alerts"));
  });

  it("refuses what passes Go but exceeds the ceiling (default 8760h), naming MAX_DECISION_DURATION", async () => {
    const message = await refused(
      await admin("POST", "/decisions", { ip: "198.51.100.98", duration: "8761h" }),
      "body.duration",
    );
    expect(message).toContain("MAX_DECISION_DURATION");
    expect(message).toContain("8760h0m0s");
    const ok = await admin("POST", "/decisions", { ip: "198.51.100.98", duration: "8760h" });
    expect(ok.status).toBe(201);
  });

  it("follows a configured ceiling", async () => {
    const app = createApp({ routes: [apiRoutes] });
    const body = JSON.stringify({ ip: "198.51.100.99", duration: "72h" });
    const res = await app.fetch(
      new Request(`${API}/admin/decisions`, {
        method: "POST",
        headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, "Content-Type": "application/json" },
        body,
      }),
      { ...env, MAX_DECISION_DURATION: "48h" },
    );
    expect(await refused(res, "body.duration")).toContain("48h0m0s (MAX_DECISION_DURATION)");
  });
});

describe("allowlist expiry", () => {
  it("holds duration and expires_at to the same bound", async () => {
    await flushKv();
    const before = await stateSnapshot();
    await refused(
      await admin("POST", "/allowlist", { value: "192.0.2.150", duration: ABSURD }),
      "body.duration",
    );
    const far = await refused(
      await admin("POST", "/allowlist", {
        value: "192.0.2.150",
        expires_at: "9999-01-01T00:00:00Z",
      }),
      "body.expires_at",
    );
    expect(far).toContain("MAX_DECISION_DURATION");
    await refused(
      await admin("POST", "/allowlist", {
        value: "192.0.2.150",
        expires_at: "2001-01-01T00:00:00Z",
      }),
      "body.expires_at",
    );
    expect(await stateSnapshot()).toEqual(before);
    const list = await adminOk<{ entries: { value: string }[] }>("GET", "/allowlist");
    expect(list.entries.map((e) => e.value)).not.toContain("192.0.2.150/32");
  });
});

describe("watchers' alerts", () => {
  async function jwt(): Promise<string> {
    const m = await adminOk<{ name: string; token: string }>("POST", "/machines", {
      name: unique("agent"),
    });
    const res = await exports.default.fetch(`${API}/watchers/login`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ machine_id: m.name, password: m.token }),
    });
    return watcherLoginResponseSchema.parse(await res.json()).token;
  }

  function alert(ip: string, duration: string) {
    const now = new Date().toISOString();
    return {
      scenario: "manual 'ban' from 'test'",
      start_at: now,
      stop_at: now,
      source: { scope: "ip", value: ip, ip },
      decisions: [
        {
          duration,
          origin: "cscli",
          scenario: "manual",
          scope: "ip",
          type: "ban",
          value: ip,
        },
      ],
    };
  }

  it("refuses the whole push (422 naming the decision) when one duration is out of bounds", async () => {
    const token = await jwt();
    await flushKv();
    const before = await stateSnapshot();
    for (const [bad, what] of [
      [ABSURD, "Go's longest duration"],
      ["9000h", "MAX_DECISION_DURATION"],
      ["-4h", "not positive"],
    ] as const) {
      const res = await exports.default.fetch(`${API}/alerts`, {
        method: "POST",
        headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
        body: JSON.stringify([alert("198.51.100.120", "4h"), alert("198.51.100.121", bad)]),
      });
      const text = await res.text();
      expect(res.status, text).toBe(422);
      const body = JSON.parse(text) as ErrorJson & { message: string };
      expect(body.error.path).toBe("body[1].decisions[0].duration");
      expect(body.message).toContain(what);
    }
    expect(await stateSnapshot()).toEqual(before);
  });
});

describe("the Ledger's door", () => {
  it("cuts a decision past the ceiling to it whatever path it came by, and bouncers can parse it", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const key = await newBouncer();
    await stream(key, "?startup=true");
    const now = Date.now();
    const [id] =
      (
        await ledger().record([
          {
            ref: `t:${crypto.randomUUID()}`,
            alert: null,
            decisions: [
              {
                type: "ban",
                scope: "Ip",
                value: "198.51.100.130",
                origin: "palisade",
                scenario: "profile with a runaway duration_expr",
                start: now,
                until: now + 360_000_000_000 * HOUR,
              },
            ],
          },
        ])
      )[0]?.ids ?? [];
    const row = await ledger().decision(id as number);
    expect((row?.until ?? 0) - (row?.start ?? 0)).toBe(8_760 * HOUR);
    expect(warn).toHaveBeenCalledWith("palisade.ledger.duration_clamped", expect.anything());
    const got = (await stream(key)).new?.find((d) => d.value === "198.51.100.130");
    expect(got?.duration).toMatch(GO_DURATION);
  });

  it("renders rows stored before the bound (absurd times, a corrupt alert) without failing the listings", async () => {
    const err = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const [id] =
      (
        await ledger().record([
          {
            ref: `t:${crypto.randomUUID()}`,
            alert: {
              scenario: "test/broken-row",
              message: "",
              source: { scope: "Ip", value: "198.51.100.140", ip: "198.51.100.140" },
              events_count: 1,
              start_at: Date.now(),
              stop_at: Date.now(),
              capacity: 0,
              leakspeed: 0,
              labels: {},
              remediation: true,
              events: [],
              allowlisted: false,
            },
            decisions: [
              {
                type: "ban",
                scope: "Ip",
                value: "198.51.100.140",
                origin: "palisade",
                scenario: "test/broken-row",
                start: Date.now(),
                until: Date.now() + HOUR,
              },
            ],
          },
        ])
      )[0]?.ids ?? [];
    // What an unbounded Ledger stored: `99999999999h` from now, and an alert it cannot read.
    await runInDurableObject(ledger(), (_, state) => {
      state.storage.sql.exec(
        "UPDATE decisions SET until = ? WHERE id = ?",
        Date.now() + 99_999_999_999 * HOUR,
        id as number,
      );
      state.storage.sql.exec(
        "INSERT INTO alerts (seq, scenario, scope, value, created, allowlisted, alert) VALUES (?, 'test/corrupt', 'Ip', '198.51.100.141', ?, 0, '{not json')",
        900_000_000,
        Date.now(),
      );
    });
    const decisions = adminDecisionPageSchema.parse(
      await adminOk("GET", "/decisions?ip=198.51.100.140"),
    );
    expect(decisions.decisions.map((d) => d.id)).toEqual([id]);
    expect(decisions.decisions[0]?.until).toBe("9999-12-31T23:59:59.999Z");
    expect(decisions.decisions[0]?.duration).toMatch(GO_DURATION);
    const alerts = adminAlertPageSchema.parse(await adminOk("GET", "/alerts"));
    expect(alerts.alerts.map((a) => a.scenario)).toContain("test/broken-row");
    expect(alerts.alerts.map((a) => a.scenario)).not.toContain("test/corrupt");
    expect(err).toHaveBeenCalledWith("palisade.ledger.unrenderable", expect.anything());
    // Bouncers get a duration Go can parse.
    const key = await newBouncer();
    const res = await exports.default.fetch(`${API}/decisions/stream?startup=true`, {
      headers: { "X-Api-Key": key, "CF-Connecting-IP": "192.0.2.10" },
    });
    const body = lapiDecisionStreamSchema.parse(await res.json());
    const d = body.new?.find((x) => x.value === "198.51.100.140");
    expect(d?.duration).toBe("2562047h47m16s");
    // Deleting it works, and the listings keep answering afterwards.
    await adminOk("DELETE", `/decisions/${id}`);
    adminDecisionPageSchema.parse(await adminOk("GET", "/decisions?all=true"));
  });
});
