import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import {
  importReportSchema,
  type LedgerExport,
  ledgerExportSchema,
} from "../../src/contract/backup";
import { hashToken } from "../../src/durable/ledger/index";
import type { RecordItem } from "../../src/durable/ledger/records";
import { sweep } from "../../src/durable/ledger/retention";
import { adminOk, ban, newBouncer, stream, unique, values } from "./api-support";
import { ledger } from "./ingest-support";

const DAY = 86_400_000;

function item(ref: string, ip: string, withAlert = true): RecordItem {
  const now = Date.now();
  return {
    ref,
    alert: withAlert
      ? {
          scenario: "palisade/test",
          message: ref,
          source: { scope: "Ip", value: ip, ip },
          events_count: 1,
          start_at: now,
          stop_at: now,
          capacity: 0,
          leakspeed: 0,
          labels: {},
          remediation: true,
          events: [],
          allowlisted: false,
        }
      : null,
    decisions: [
      {
        type: "ban",
        scope: "Ip",
        value: ip,
        origin: "palisade",
        scenario: "palisade/test",
        start: now,
        until: now + DAY,
      },
    ],
  };
}

/** Ages rows as if they were `days` old (alerts created, decisions ended then). */
function age(ids: { alerts?: number[]; decisions?: number[] }, days: number) {
  return runInDurableObject(ledger(), (_, state) => {
    const t = Date.now() - days * DAY;
    for (const s of ids.alerts ?? [])
      state.storage.sql.exec("UPDATE alerts SET created = ? WHERE seq = ?", t, s);
    for (const d of ids.decisions ?? [])
      state.storage.sql.exec("UPDATE decisions SET deleted_at = ? WHERE id = ?", t, d);
  });
}

function exists(table: "alerts" | "decisions", key: "seq" | "id", id: number) {
  return runInDurableObject(
    ledger(),
    (_, state) =>
      state.storage.sql.exec(`SELECT 1 FROM ${table} WHERE ${key} = ?`, id).toArray().length > 0,
  );
}

describe("Ledger retention", () => {
  it("deletes alerts and ended decisions past RETENTION_DAYS, keeps what live decisions and the console need", async () => {
    const [old, live, keptAlert] = await ledger().record([
      item(unique("r"), "192.0.2.201"),
      item(unique("r"), "192.0.2.202"),
      item(unique("r"), "192.0.2.203"),
    ]);
    const oldId = old?.ids[0] as number;
    await ledger().expire([oldId]);
    // The third's decision ended recently: its old alert stays with it.
    await ledger().expire([keptAlert?.ids[0] as number]);
    await age({ alerts: [old?.alertSeq, live?.alertSeq, keptAlert?.alertSeq] as number[] }, 100);
    await age({ decisions: [oldId] }, 95);
    const swept = await ledger().sweepRetention();
    expect(swept.decisions).toBeGreaterThanOrEqual(1);
    expect(await exists("decisions", "id", oldId)).toBe(false);
    expect(await exists("alerts", "seq", old?.alertSeq as number)).toBe(false);
    // A live decision's alert, and the alert of an ended decision still kept, remain.
    expect(await exists("alerts", "seq", live?.alertSeq as number)).toBe(true);
    expect(await exists("decisions", "id", live?.ids[0] as number)).toBe(true);
    expect(await exists("alerts", "seq", keptAlert?.alertSeq as number)).toBe(true);
  });

  it("keeps at most RETENTION_MAX_* rows, the oldest going first", async () => {
    const made = await ledger().record(
      [1, 2, 3, 4].map((i) => item(unique("n"), `192.0.2.22${i}`)),
    );
    await ledger().expire(made.map((m) => m.ids[0] as number));
    await runInDurableObject(ledger(), (_, state) => {
      const sql = state.storage.sql;
      sweep(sql, { days: 3650, maxAlerts: 1, maxEndedDecisions: 1 }, Date.now());
      const ended = sql
        .exec<{ value: string }>("SELECT value FROM decisions WHERE deleted_seq IS NOT NULL")
        .toArray();
      expect(ended.map((d) => d.value)).toEqual(["192.0.2.224"]);
      // Alerts beyond the count go, but not one a kept decision points to.
      const alerts = sql
        .exec<{ value: string }>("SELECT value FROM alerts")
        .toArray()
        .map((a) => a.value);
      expect(alerts).toContain("192.0.2.224");
      expect(alerts).not.toContain("192.0.2.221");
    });
  });

  it("a bouncer whose cursor predates a deletion retention removed gets the whole active set again", async () => {
    const key = await newBouncer();
    const kept = await ban("192.0.2.210", { duration: "4h" });
    await stream(key, "?startup=true");
    const gone = await ban("192.0.2.211", { duration: "4h" });
    await adminOk("DELETE", `/decisions/${gone.id}`);
    await age({ decisions: [gone.id] }, 400);
    await ledger().sweepRetention();
    const next = await stream(key);
    // It cannot be told of 192.0.2.211's end any more: a startup answer, every live decision.
    expect(values(next.new)).toContain(kept.value);
    expect(values(next.deleted)).not.toContain("192.0.2.211");
  });
});

describe("Ledger export and import", () => {
  function normalise(doc: LedgerExport) {
    const { exported_at: _, ...rest } = doc;
    const sorted = <T>(xs: T[]) => [...xs].map((x) => JSON.stringify(x)).sort();
    return {
      decisions: sorted(rest.decisions),
      allowlist: sorted(rest.allowlist),
      bouncers: sorted(rest.bouncers),
      machines: sorted(rest.machines),
    };
  }

  it("round trip: an export imported into an empty Ledger exports the same, and its credentials work", async () => {
    const bouncer = unique("fw");
    const keyOut = await adminOk<{ api_key: string }>("POST", "/bouncers", { name: bouncer });
    await adminOk("POST", "/machines", { name: unique("web") });
    await adminOk("POST", "/allowlist", { value: "198.51.100.128/25", reason: "office" });
    await ban("203.0.113.77", { duration: "2h" });
    await adminOk("POST", "/decisions", { range: "203.0.113.0/28", type: "captcha" });
    const doc = ledgerExportSchema.parse(await adminOk("GET", "/export"));
    expect(doc.decisions.map((d) => d.value)).toEqual(
      expect.arrayContaining(["203.0.113.77", "203.0.113.0/28"]),
    );
    expect(doc.bouncers.find((b) => b.name === bouncer)?.key_hash).toBe(
      await hashToken(keyOut.api_key),
    );
    expect(JSON.stringify(doc)).not.toContain(keyOut.api_key);

    const fresh = env.LEDGER.get(env.LEDGER.idFromName(unique("restore")));
    const report = importReportSchema.parse(await fresh.importLedger(doc));
    expect(report.decisions.imported).toBe(doc.decisions.length);
    expect(report.bouncers).toEqual({ imported: doc.bouncers.length, skipped: 0 });
    expect(normalise(await fresh.exportLedger())).toEqual(normalise(doc));
    // The bouncer's key works on the restored Ledger; importing again adds nothing.
    const auth = { keyHash: await hashToken(keyOut.api_key), ip: "192.0.2.1", userAgent: null };
    expect(
      await fresh.pull(auth, {
        mode: "check",
        startup: false,
        since: null,
        filter: {},
        pageSize: 10,
      }),
    ).not.toBeNull();
    const again = await fresh.importLedger(doc);
    for (const c of Object.values(again)) expect(c?.imported).toBe(0);
    // Through the API on the original: everything is already there.
    const self = importReportSchema.parse(await adminOk("POST", "/import", doc));
    expect(
      self.decisions.imported +
        self.bouncers.imported +
        self.machines.imported +
        self.allowlist.imported,
    ).toBe(0);
  });
});
