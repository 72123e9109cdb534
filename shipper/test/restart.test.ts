import { spawn } from "node:child_process";
import {
  appendFileSync,
  existsSync,
  readdirSync,
  readFileSync,
  renameSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { sleepReal } from "../src/clock";
import { Shipper } from "../src/shipper";
import { bundlePath, runShipper } from "./bundle";
import { rotateTwiceWithRestart } from "./scenario";
import { type Sink, startSink } from "./sink";
import {
  fileSource,
  makeLines,
  memoryLog,
  onCleanup,
  startShipper,
  tempDir,
  testConfig,
  waitFor,
} from "./support";

async function sink(): Promise<Sink> {
  const s = await startSink();
  onCleanup(() => s.down());
  return s;
}

const text = (lines: string[]) => lines.map((l) => `${l}\n`).join("");

describe("restarts", () => {
  it("resumes mid-file after a stop without gaps or repeats", async () => {
    const [s, dir] = [await sink(), await tempDir()];
    const log = join(dir, "access.log");
    writeFileSync(log, text(makeLines("r", 1000)));
    const cfg = testConfig(s.url, join(dir, "state"), [fileSource([log])]);
    // The Worker is down: the first run reads part of the file into a small spool, then stops.
    await s.down();
    const first = await startShipper(
      { ...cfg, spool: { maxBytes: 2048 }, shutdownTimeoutMs: 50 },
      { chunkBytes: 4096 },
    );
    await waitFor("part of the file read", () => first.metrics.readingPaused);
    await first.stop();
    expect(first.metrics.linesRead).toBeLessThan(1000);
    expect(first.metrics.linesRead).toBeGreaterThan(0);
    expect(first.metrics.spoolBatches).toBeGreaterThan(0);
    await s.up();
    appendFileSync(log, text(makeLines("r", 200, 1000)));
    await startShipper(cfg);
    await waitFor("the rest", () => s.lines().length === 1200);
    expect(s.lines()).toEqual(makeLines("r", 1200));
  });

  it("finishes a file that was rotated while the shipper was stopped", async () => {
    const [s, dir] = [await sink(), await tempDir()];
    const log = join(dir, "access.log");
    writeFileSync(log, text(makeLines("old", 30)));
    const cfg = testConfig(s.url, join(dir, "state"), [fileSource([log])]);
    const first = await startShipper(cfg);
    await waitFor("first lines", () => s.lines().length === 30);
    await first.stop();
    appendFileSync(log, text(makeLines("old", 10, 30)));
    renameSync(log, `${log}.1`);
    writeFileSync(log, text(makeLines("new", 15)));
    const logger = memoryLog();
    await startShipper(cfg, { log: logger });
    await waitFor("all lines", () => s.lines().length === 55);
    expect(s.lines().filter((l) => l.startsWith("old "))).toEqual(makeLines("old", 40));
    expect(s.lines().filter((l) => l.startsWith("new "))).toEqual(makeLines("new", 15));
    expect(logger.has("info", "rotated while stopped")).toBe(true);
  });

  it("after a crash between send and acknowledgement, re-sends the same batch id with the same lines", async () => {
    const [s, dir] = [await sink(), await tempDir()];
    const log = join(dir, "access.log");
    writeFileSync(log, text(makeLines("c", 10)));
    writeFileSync(
      join(dir, "ship.yaml"),
      `url: ${s.url}\ntoken: machine-token\nstate_dir: ${join(dir, "state")}\nsources: [{paths: [${log}], type: nginx, start_at: beginning}]\n`,
    );
    s.acceptThenHang();
    const first = await runShipper(["--config", join(dir, "ship.yaml")]);
    await waitFor("the Worker counted the batch", () => s.lines().length === 10);
    first.child.kill("SIGKILL");
    await first.exited;
    const hungId = s.accepted[0]?.id;
    expect(readdirSync(join(dir, "state", "spool"))).toHaveLength(1);
    appendFileSync(log, text(makeLines("c", 5, 10)));
    const second = await runShipper(["--config", join(dir, "ship.yaml")]);
    await waitFor("the new lines", () => s.lines().length === 15);
    expect(s.duplicateIds).toEqual([hungId]);
    expect(s.lines()).toEqual(makeLines("c", 15));
    second.child.kill("SIGTERM");
    expect(await second.exited).toBe(0);
    expect(readdirSync(join(dir, "state", "spool"))).toHaveLength(0);
  });

  it("done-when scenario: two rotations while shipping and a Worker restart: every line counted once", async () => {
    const [s, dir] = [await sink(), await tempDir()];
    const r = await rotateTwiceWithRestart(
      {
        url: s.url,
        token: s.token,
        restart: async () => {
          await s.down();
          await sleepReal(300);
          await s.up();
        },
        countedLines: async () => s.lines(),
      },
      dir,
    );
    expect(r.shipperExit).toBe(0);
    expect(r.counted.length).toBe(r.written.length);
    expect([...r.counted].sort()).toEqual([...r.written].sort());
    // Per file, order is kept; across the three files lines may interleave.
    expect(r.shipperLog.match(/file rotated or deleted/g)?.length).toBe(2);
    expect(r.shipperLog).toContain("send failed, retrying");
  }, 60_000);

  it("one shipper per state_dir: a live one holds it, a killed one does not even before it is reaped (zombie)", async () => {
    const [s, dir] = [await sink(), await tempDir()];
    const log = join(dir, "access.log");
    writeFileSync(log, text(makeLines("z", 5)));
    const state = join(dir, "state");
    writeFileSync(
      join(dir, "ship.yaml"),
      `url: ${s.url}\ntoken: machine-token\nstate_dir: ${state}\nsources: [{paths: [${log}], type: nginx, start_at: beginning}]\n`,
    );
    // The shipper's parent never waits for it (exec sleep), so once killed it stays a zombie.
    const parent = spawn(
      "sh",
      [
        "-c",
        `"${process.execPath}" "${await bundlePath()}" --config "${join(dir, "ship.yaml")}" 2>/dev/null & echo $!; exec sleep 60`,
      ],
      { stdio: ["ignore", "pipe", "ignore"] },
    );
    onCleanup(async () => {
      parent.kill("SIGKILL");
    });
    let out = "";
    parent.stdout.on("data", (c: Buffer) => {
      out += c.toString();
    });
    await waitFor("the shipper's pid", () => /^\d+\n/.test(out));
    const pid = Number(out.trim());
    await waitFor("the first shipper shipped", () => s.lines().length === 5);
    const cfg = testConfig(s.url, state, [fileSource([log])]);
    await expect(startShipper(cfg)).rejects.toThrow(
      `another palisade-ship (pid ${pid}) uses ${state}; stop it or give this one its own state_dir`,
    );
    process.kill(pid, "SIGKILL");
    await waitFor("a zombie", () =>
      /^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8")),
    );
    const second = await startShipper(cfg);
    expect(second).toBeInstanceOf(Shipper);
    expect(existsSync(join(state, "lock"))).toBe(true);
    expect(readFileSync(join(state, "lock"), "utf8")).toBe(`${process.pid}\n`);
  });
});
