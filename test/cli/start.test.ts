import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { cliJson } from "../e2e/support/cli";
import { freePort } from "../e2e/support/worker";
import { root } from "./run";

const started: ChildProcess[] = [];
afterEach(() => {
  for (const c of started.splice(0)) {
    try {
      if (c.pid !== undefined) process.kill(-c.pid, "SIGINT");
    } catch {
      // already gone
    }
  }
});

function npmStart(env: Record<string, string>) {
  return spawnSync(process.execPath, [`${root}scripts/start.mjs`], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, ...env },
    timeout: 60_000,
  });
}

function listen(port: number): Promise<Server> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(port, "127.0.0.1", () => resolve(s));
  });
}

describe("npm start", () => {
  it("checks its ports first: one in use stops it before anything starts or is replayed", async () => {
    const [port, origin, inspector] = [await freePort(), await freePort(), await freePort()];
    const taken = await listen(origin);
    try {
      const r = npmStart({
        PORT: String(port),
        ORIGIN_PORT: String(origin),
        INSPECTOR_PORT: String(inspector),
      });
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(
        new RegExp(
          `^npm start: port ${origin} \\(ORIGIN_PORT, the demo origin\\) is already in use; nothing was started or replayed\\.\\n {2}why: .+\\n {2}fix: .*ORIGIN_PORT=`,
        ),
      );
      expect(r.stdout).not.toMatch(/replayed/);
    } finally {
      taken.close();
    }
    const bad = npmStart({ PORT: "eighty" });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/^npm start: PORT="eighty" is not a port\./);
    const same = npmStart({ PORT: "8811", ORIGIN_PORT: "8811" });
    expect(same.stderr).toMatch(/ORIGIN_PORT and PORT are both 8811/);
  });

  it("replays the demo attack and prints the exports to paste, which the CLI then uses", async () => {
    const [port, origin, inspector] = [await freePort(), await freePort(), await freePort()];
    const child = spawn(process.execPath, [`${root}scripts/start.mjs`], {
      cwd: root,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env: {
        ...process.env,
        PORT: String(port),
        ORIGIN_PORT: String(origin),
        INSPECTOR_PORT: String(inspector),
        STATE_DIR: join(mkdtempSync(join(tmpdir(), "palisade-start-")), "state"),
      },
    });
    started.push(child);
    let out = "";
    child.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
    });
    const end = Date.now() + 150_000;
    while (!out.includes("Ctrl-C stops it") && Date.now() < end && child.exitCode === null)
      await new Promise((r) => setTimeout(r, 500));
    expect(out).toMatch(/# the attacker: 403/);
    expect(out).toMatch(/# a normal visitor: 200/);
    const m = /^ {2}export PALISADE_URL=(\S+) PALISADE_TOKEN=(\S+)$/m.exec(out);
    expect(m?.[1]).toBe(`http://127.0.0.1:${port}`);
    const decisions = await cliJson<{ value: string }[]>(["decisions", "list"], {
      env: { PALISADE_URL: m?.[1] as string, PALISADE_TOKEN: m?.[2] as string },
    });
    expect(decisions.map((d) => d.value)).toContain("203.0.113.66");
  }, 180_000);
});
