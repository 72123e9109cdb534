import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { fixtures, jsonLines, palisade } from "./run";

describe("palisade parse", () => {
  it("prints one JSON object per input line, in order, with meta and parsed fields", () => {
    const r = palisade(["parse", "--type", "nginx", `${fixtures}probe.log`]);
    expect(r.status).toBe(0);
    const out = jsonLines(r.stdout);
    expect(out).toHaveLength(21);
    expect(out.map((o) => o.line)).toEqual(Array.from({ length: 21 }, (_, i) => i + 1));
    expect(out[5]).toEqual({ line: 6, ok: false });
    const first = out[0] as {
      ok: boolean;
      time: string;
      meta: Record<string, string>;
      parsed: Record<string, string>;
    };
    expect(first.ok).toBe(true);
    expect(first.time).toBe("2025-03-10T14:00:00.000Z");
    expect(first.meta).toMatchObject({
      source_ip: "203.0.113.7",
      http_status: "404",
      http_path: "/probe-0.php",
      log_type: "http_access-log",
    });
    expect(first.parsed).toMatchObject({ verb: "GET", request: "/probe-0.php" });
    expect(r.stderr).toMatch(/21 lines, 20 parsed, 1 unparsed/);
  });

  it("says why a recognised line made no event, and reads its files as one stream", () => {
    const input = [
      "Mar  3 09:14:04 bastion sshd[20434]: Invalid user test from scanner.example.net port 40018",
      "Mar  3 09:17:07 host sshd[4242]: error: kex_exchange_identification: Connection closed by remote host",
      "Mar  3 09:17:08 host sshd[4242]: Connection closed by 198.51.100.66 port 35352",
      "Mar  3 09:17:09 host sshd[4243]: error: kex_exchange_identification: Connection closed by remote host",
    ].join("\n");
    const r = palisade(["parse", "--type", "syslog", "--year", "2026", "-"], `${input}\n`);
    expect(r.status).toBe(0);
    const out = jsonLines(r.stdout) as {
      ok: boolean;
      reason?: string;
      meta?: Record<string, string>;
    }[];
    expect(out[0]).toEqual({ line: 1, ok: false, reason: "hostname" });
    expect(out[1]).toEqual({ line: 2, ok: false, reason: "no-address" });
    // The session's close gives the address: its line is the kex failure's event.
    expect(out[2]?.meta).toMatchObject({
      source_ip: "198.51.100.66",
      log_type: "ssh_no_identification",
    });
    expect(out[3]).toEqual({ line: 4, ok: false, reason: "no-address" });
    expect(r.stderr).toMatch(/4 lines, 1 parsed, 3 unparsed \(1 hostname, 2 no-address\)/);
  });

  it("reads standard input with - and no file", () => {
    const input = readFileSync(`${fixtures}probe.log`);
    const a = palisade(["parse", "--type", "nginx", "-"], input);
    const b = palisade(["parse", "--type", "nginx"], input);
    expect(jsonLines(a.stdout)).toHaveLength(21);
    expect(b.stdout).toBe(a.stdout);
  });

  it("rejects an unknown type with the list of known ones and exit code 1, no stack trace", () => {
    const r = palisade(["parse", "--type", "iis", `${fixtures}probe.log`]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/unknown --type "iis"\.\n {2}why: the known types are .*nginx/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("names a missing file and how to fix it", () => {
    const r = palisade(["parse", "--type", "nginx", "/nonexistent/access.log"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/cannot read \/nonexistent\/access\.log: no such file/);
  });

  it("gives yearless syslog lines the --year asked for", () => {
    const line =
      "Feb 12 14:10:21 web1 sshd[16378]: Invalid user pascal from 203.0.113.9 port 53502\n";
    const r = palisade(["parse", "--type", "syslog", "--year", "2023"], line);
    const [o] = jsonLines(r.stdout) as { time: string; meta: Record<string, string> }[];
    expect(o?.time).toBe("2023-02-12T14:10:21.000Z");
    expect(o?.meta.source_ip).toBe("203.0.113.9");
    const bad = palisade(["parse", "--type", "syslog", "--year", "23"], line);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/--year "23" is not a year/);
  });
});

describe("hostile input", () => {
  it("counts binary bytes, invalid UTF-8 and a 1 MB line as unparsed and carries on", () => {
    const good = readFileSync(`${fixtures}probe.log`);
    const garbage = Buffer.concat([
      Buffer.from([0x00, 0xff, 0xfe, 0xc3, 0x28, 0x0a]), // NUL, invalid UTF-8
      Buffer.from(`${"A".repeat(1024 * 1024)}\n`), // a 1 MB line
      Buffer.from(
        `203.0.113.9 - - [10/Mar/2025:14:00:00 +0000] "GET /${"%00".repeat(1000)} HTTP/1.1" 404 1 "-" "\u0007\u001b[31m"\n`,
      ),
      good,
    ]);
    const r = palisade(["parse", "--type", "nginx", "-"], garbage);
    expect(r.status).toBe(0);
    const out = jsonLines(r.stdout);
    expect(out).toHaveLength(24);
    expect(out.slice(0, 2)).toEqual([
      { line: 1, ok: false },
      { line: 2, ok: false },
    ]);
    expect(out.filter((o) => o.ok)).toHaveLength(21);
    const replay = palisade(
      ["replay", "--type", "nginx", "--scenarios", `${fixtures}probe-scenario.yaml`, "-"],
      garbage,
    );
    expect(replay.status).toBe(0);
    expect(replay.stderr).toMatch(/lines read=24 parsed=21 unparsed=3 alerts=1/);
  });
});
