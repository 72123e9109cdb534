import { describe, expect, it } from "vitest";
import { adminAlertDetailSchema, adminAlertPageSchema } from "../../src/contract/admin";
import { RAW_SAMPLE_CHARS } from "../../src/durable/ledger/records";
import { adminOk } from "./api-support";
import { accessLine, failedSsh, postIngest } from "./ingest-support";

// An alert's evidence (issue 10 item 21, the console's alert page): the machine and source
// labels its batch came with, and the raw lines that triggered it, bounded.

const now = Date.now();

async function alertOf(ip: string) {
  const page = adminAlertPageSchema.parse(await adminOk("GET", `/alerts?ip=${ip}`));
  expect(page.alerts).toHaveLength(1);
  return adminAlertDetailSchema.parse(await adminOk("GET", `/alerts/${page.alerts[0]?.id}`));
}

describe("alert evidence", () => {
  it("keeps the raw lines, the sending machine and the batch's labels and name", async () => {
    const ip = "203.0.113.41";
    const lines = Array.from({ length: 8 }, (_, i) => failedSsh(ip, now + i * 1000));
    const res = await postIngest({
      batch_id: `evidence-${crypto.randomUUID()}`,
      source: {
        type: "syslog",
        name: "/var/log/auth.log",
        labels: { host: "web-01", env: "prod" },
      },
      lines,
    });
    expect(res.status).toBe(200);
    const a = await alertOf(ip);
    expect(a.scenario).toBe("palisade/ssh-bf");
    // The bootstrap token's machine sent every line, from one file with its labels.
    expect(a.origins).toEqual([
      {
        machine: "bootstrap",
        src: "/var/log/auth.log",
        labels: { host: "web-01", env: "prod", type: "syslog" },
        events: a.events.length,
      },
    ]);
    expect(a.events.length).toBeGreaterThan(0);
    for (const e of a.events) {
      expect(lines).toContain(e.raw);
      expect(e.machine).toBe("bootstrap");
      expect(e.meta.source_ip).toBe(ip);
    }
    expect(a.events.at(-1)?.parsed).toMatchObject({ program: "sshd" });
  });

  it("cuts a huge raw line in the sample and keeps at most 20 events", async () => {
    const ip = "203.0.113.42";
    const long = "a".repeat(6_000);
    const lines = Array.from({ length: 40 }, (_, i) =>
      accessLine(ip, now + i * 100, `/admin-${i}.php?q=${long}`, 404),
    );
    await postIngest({
      batch_id: `evidence-${crypto.randomUUID()}`,
      source: { type: "nginx" },
      lines,
    });
    const a = await alertOf(ip);
    expect(a.events.length).toBeLessThanOrEqual(20);
    const raw = a.events[0]?.raw ?? "";
    expect(raw.length).toBeLessThan(RAW_SAMPLE_CHARS + 40);
    expect(raw).toMatch(/… \[\d+ more characters\]$/);
    expect(raw.startsWith(`${ip} - - [`)).toBe(true);
    for (const v of Object.values(a.events[0]?.parsed ?? {})) expect(v.length).toBeLessThan(1_100);
  });

  it("a manual decision's alert has no lines and no origin", async () => {
    const out = await adminOk<{ alert_id: number }>("POST", "/decisions", {
      ip: "203.0.113.43",
      duration: "1h",
    });
    const a = adminAlertDetailSchema.parse(await adminOk("GET", `/alerts/${out.alert_id}`));
    expect(a.events).toEqual([]);
    expect(a.origins).toEqual([]);
  });
});
