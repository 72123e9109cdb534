import { describe, expect, it } from "vitest";
import { parserFor } from "../../src/core/parser/index";
import { Replay } from "../../src/core/replay";
import { loadHubPack } from "../../src/hub/index";

// The pure core runs unchanged inside workerd (no eval, no Node APIs): the whole
// pipeline, built-in pack included, on an ssh brute force.
describe("detection core in workerd", () => {
  it("parses, detects and decides with the built-in pack", () => {
    const pack = loadHubPack();
    const parser = parserFor("syslog");
    if (!parser) throw new Error("no syslog parser");
    const replay = new Replay({
      parser,
      parseOptions: { now: Date.UTC(2026, 0, 1), year: 2025 },
      scenarios: pack.scenarios,
      profiles: pack.profiles,
      allowlist: pack.allowlist,
    });
    const origin = { src: "auth.log", module: "file", labels: { type: "syslog" } };
    for (let i = 0; i < 12; i++) {
      const s = String(10 + i).padStart(2, "0");
      replay.line(
        `Mar  3 09:15:${s} web1 sshd[4242]: Failed password for root from 198.51.100.23 port 4${s}22 ssh2`,
        origin,
      );
    }
    replay.line("Mar  3 09:16:00 web1 CRON[1]: (root) CMD (true)", origin);
    replay.line("not a syslog line", origin);
    const out = replay.results();
    expect(replay.stats).toMatchObject({ read: 14, parsed: 13, unparsed: 1 });
    expect(out.length).toBeGreaterThan(0);
    const first = out[0];
    expect(first?.alert.source.value).toBe("198.51.100.23");
    expect(first?.result.decisions[0]).toMatchObject({
      type: "ban",
      scope: "Ip",
      value: "198.51.100.23",
    });
  });
});
