import { afterEach, describe, expect, it, vi } from "vitest";
import { LOG_BURST, logfmt } from "../../src/durable/ledger/activity-log";
import { adminOk, ban, record } from "./api-support";
import { batch, ledger, log4shellLine, postIngest } from "./ingest-support";

afterEach(() => {
  vi.restoreAllMocks();
});

/** What the Worker (its Durable Objects included) logged with console.log while `run` ran. */
async function logged(run: () => Promise<unknown>): Promise<string[]> {
  const lines: string[] = [];
  const spy = vi.spyOn(console, "log").mockImplementation((...args: unknown[]) => {
    lines.push(args.map(String).join(" "));
  });
  await run();
  spy.mockRestore();
  return lines;
}

describe("one structured line per alert, decision and end (wrangler tail, Workers Logs)", () => {
  it("logs a detected attack's alert and decision, and the decision's end", async () => {
    const ip = "203.0.113.150";
    const lines = await logged(async () => {
      const res = await postIngest(batch([log4shellLine(ip, Date.now())]));
      expect(res.status).toBe(200);
    });
    const alert = lines.find((l) => l.startsWith("palisade.alert "));
    expect(alert).toMatch(
      new RegExp(
        `^palisade\\.alert id=(\\d+) scenario=palisade/cve-2021-44228-log4shell source=Ip:${ip} events=1$`,
      ),
    );
    const seq = /id=(\d+)/.exec(alert ?? "")?.[1];
    const decision = lines.find((l) => l.startsWith("palisade.decision "));
    expect(decision).toMatch(
      new RegExp(
        `^palisade\\.decision id=\\d+ ip=${ip} scenario=palisade/cve-2021-44228-log4shell type=ban duration=4h origin=palisade alert=${seq}$`,
      ),
    );
    const id = Number(/id=(\d+)/.exec(decision ?? "")?.[1]);
    const ended = await logged(() => ledger().expire([id]));
    expect(ended).toContain(`palisade.decision.end id=${id} ip=${ip} type=ban reason=expired`);
  });

  it("logs manual decisions and their deletion the same way", async () => {
    let id = 0;
    const made = await logged(async () => {
      id = (await ban("198.51.100.150", { duration: "90m", reason: "manual test" })).id;
    });
    expect(made).toContain(
      `palisade.decision id=${id} ip=198.51.100.150 scenario="manual test" type=ban duration=1h30m origin=cscli alert=${/alert=(\d+)/.exec(made.join("\n"))?.[1]}`,
    );
    const gone = await logged(() => adminOk("DELETE", `/decisions/${id}`));
    expect(gone).toContain(
      `palisade.decision.end id=${id} ip=198.51.100.150 type=ban reason=deleted`,
    );
  });

  it("logs the first decisions of a bulk batch one by one and counts the rest in one line", async () => {
    const n = LOG_BURST + 30;
    const scenario = `palisade/bulk-${crypto.randomUUID().slice(0, 8)}`;
    const values = Array.from({ length: n }, (_, i) => `100.77.${i >> 8}.${i & 255}`);
    const made = await logged(() => record(values.map((value) => ({ value, scenario }))));
    expect(made.filter((l) => l.startsWith("palisade.decision ")).length).toBe(LOG_BURST);
    expect(made).toContain(`palisade.decision.more count=30`);
    const gone = await logged(() =>
      adminOk("DELETE", `/decisions?scenario=${encodeURIComponent(scenario)}`),
    );
    expect(gone.filter((l) => l.startsWith("palisade.decision.end ")).length).toBe(LOG_BURST);
    expect(gone).toContain("palisade.decision.end.more count=30 reason=deleted");
  });

  it("writes logfmt: quoted when needed, empty fields left out", () => {
    expect(logfmt("palisade.x", { a: "b c", d: 'e"f', g: "", h: undefined, i: 3, j: true })).toBe(
      'palisade.x a="b c" d="e\\"f" i=3 j=true',
    );
  });
});
