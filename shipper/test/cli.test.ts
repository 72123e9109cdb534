import { appendFileSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runShipper } from "./bundle";
import { type Sink, startSink } from "./sink";
import { makeLines, onCleanup, tempDir, waitFor } from "./support";

async function sink(): Promise<Sink> {
  const s = await startSink();
  onCleanup(() => s.down());
  return s;
}

const text = (lines: string[]) => lines.map((l) => `${l}\n`).join("");

function config(dir: string, url: string, token = "machine-token", extra = ""): string {
  const path = join(dir, "ship.yaml");
  writeFileSync(
    path,
    `url: ${url}\ntoken: ${token}\nstate_dir: ${join(dir, "state")}\nbatch: {max_wait: 20ms}\npoll_interval: 50ms\nsources:\n  - paths: [${join(dir, "*.log")}]\n    type: nginx\n    start_at: beginning\n${extra}`,
  );
  return path;
}

describe("palisade-ship command", () => {
  it("exits 2 on a config error, naming the key, the place and the fix", async () => {
    const dir = await tempDir();
    writeFileSync(
      join(dir, "ship.yaml"),
      "url: https://x.example\ntoken: t\nstate_dir: /tmp/s\nsources:\n  - filenames: [/var/log/nginx/access.log]\n    type: nginx\n",
    );
    const r = await runShipper(["--config", join(dir, "ship.yaml")]);
    expect(await r.exited).toBe(2);
    expect(r.stderr()).toContain(
      `${join(dir, "ship.yaml")}:5:5 sources[0]: unknown key "filenames"`,
    );
    expect(r.stderr()).toContain("rename it");
    const bad = await runShipper(["--bogus"]);
    expect(await bad.exited).toBe(2);
    expect(bad.stderr()).toContain("Unknown option '--bogus'");
  });

  it("--check reaches the Worker with an empty authenticated batch; says why when it cannot", async () => {
    const [s, dir] = [await sink(), await tempDir()];
    writeFileSync(join(dir, "a.log"), "x\n");
    const ok = await runShipper(["--config", config(dir, s.url), "--check"]);
    expect(await ok.exited).toBe(0);
    expect(ok.stdout()).toContain("token accepted (HTTP 200");
    expect(ok.stdout()).toContain("1 file(s) match now");
    expect(s.attempts.at(-1)).toMatchObject({ id: `check-${hostname()}`, status: 200, lines: 0 });
    const badToken = await runShipper(["--config", config(dir, s.url, "wrong"), "--check"]);
    expect(await badToken.exited).toBe(1);
    expect(badToken.stdout()).toContain("the token was refused");
    await s.down();
    const down = await runShipper(["--config", config(dir, s.url), "--check"]);
    expect(await down.exited).toBe(1);
    expect(down.stdout()).toContain("unreachable: ECONNREFUSED");
  });

  it("--once ships a file with a final count; running it again counts nothing twice", async () => {
    const [s, dir] = [await sink(), await tempDir()];
    const file = join(dir, "old.log");
    writeFileSync(file, text(makeLines("b", 2500)));
    const env = { PALISADE_SHIP_URL: s.url, PALISADE_SHIP_TOKEN: s.token };
    const first = await runShipper(
      ["--once", file, "--type", "nginx", "--label", "backfill=yes"],
      env,
    );
    expect(await first.exited).toBe(0);
    expect(first.stderr()).toMatch(
      /shipped 2500 lines in 2 batches .* Worker accepted 2500, refused 0 lines/,
    );
    expect(s.lines()).toEqual(makeLines("b", 2500));
    expect(s.accepted[0]?.source).toEqual({ type: "nginx", labels: { backfill: "yes" } });
    const again = await runShipper(
      ["--once", file, "--type", "nginx", "--label", "backfill=yes"],
      env,
    );
    expect(await again.exited).toBe(0);
    expect(again.stderr()).toContain("Worker accepted 0 (and had already counted 2500)");
    expect(s.duplicateIds).toHaveLength(2);
    expect(s.lines()).toHaveLength(2500);
  });

  it("--once - reads standard input; --dry-run prints the batches and sends nothing", async () => {
    const [s, dir] = [await sink(), await tempDir()];
    const env = { PALISADE_SHIP_URL: s.url, PALISADE_SHIP_TOKEN: s.token };
    const piped = await runShipper(
      ["--once", "-", "--type", "syslog"],
      env,
      text(makeLines("p", 5)),
    );
    expect(await piped.exited, piped.stderr()).toBe(0);
    expect(s.lines()).toEqual(makeLines("p", 5));
    const file = join(dir, "d.log");
    writeFileSync(file, text(makeLines("d", 3)));
    const dry = await runShipper(["--once", file, "--type", "nginx", "--dry-run"]);
    expect(await dry.exited, dry.stderr()).toBe(0);
    const printed = dry
      .stdout()
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(printed).toHaveLength(1);
    expect(printed[0]).toMatchObject({
      source: { type: "nginx", labels: {} },
      lines: makeLines("d", 3),
    });
    expect(printed[0].batch_id).toMatch(/^backfill-[0-9a-f]{32}$/);
    expect(s.lines()).toHaveLength(5);
  });

  it("--once exits 1 when the Worker refuses a batch, and says so", async () => {
    const [s, dir] = [await sink(), await tempDir()];
    s.failNext(1, { status: 400, body: "no" });
    const file = join(dir, "x.log");
    writeFileSync(file, text(makeLines("x", 3)));
    const r = await runShipper([
      "--once",
      file,
      "--type",
      "nginx",
      "--url",
      s.url,
      "--token",
      s.token,
    ]);
    expect(await r.exited).toBe(1);
    expect(r.stderr()).toContain("refused 3 lines in 1 batches");
  });

  it("follows, stops cleanly on SIGTERM, and --stats prints its counters", async () => {
    const [s, dir] = [await sink(), await tempDir()];
    writeFileSync(join(dir, "a.log"), text(makeLines("f", 10)));
    const cfg = config(dir, s.url, "machine-token", "stats_interval: 1s\n");
    const run = await runShipper(["--config", cfg]);
    await waitFor("lines", () => s.lines().length === 10);
    appendFileSync(join(dir, "a.log"), text(makeLines("f", 5, 10)));
    await waitFor("more lines", () => s.lines().length === 15);
    run.child.kill("SIGTERM");
    expect(await run.exited).toBe(0);
    expect(run.stderr()).toContain("stopping signal=SIGTERM");
    expect(run.stderr()).toContain("stopped spooled_batches_left=0");
    const stats = await runShipper(["--config", cfg, "--stats"]);
    expect(await stats.exited).toBe(0);
    expect(stats.stdout()).toContain("not running");
    expect(stats.stdout()).toMatch(/lines_acked\s+15/);
    expect(s.lines()).toEqual(makeLines("f", 15));
  });
});
