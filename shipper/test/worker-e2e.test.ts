// The "done when", end to end: the bundled shipper against the real Worker under
// `wrangler dev` (ingest, Ledger and trackers in workerd, state persisted to a temp dir),
// restarted once while a log is rotated twice. The Worker's own count (admin metrics: the
// lines of every batch it completed, a duplicate batch id counting once) must equal the
// lines written.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { rotateTwiceWithRestart } from "./scenario";

const root = fileURLToPath(new URL("../..", import.meta.url));
const MACHINE = "e2e-machine-token";
const ADMIN = "e2e-admin-token";

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const a = s.address();
      s.close(() => resolve(typeof a === "object" && a ? a.port : 0));
    });
  });
}

class LocalWorker {
  private child: ChildProcess | undefined;
  constructor(
    readonly port: number,
    private readonly state: string,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const args = [
      `${root}node_modules/wrangler/bin/wrangler.js`,
      "dev",
      "--ip",
      "127.0.0.1",
      "--port",
      String(this.port),
    ];
    args.push(
      "--persist-to",
      this.state,
      "--var",
      "PALISADE_ENV:local",
      "--var",
      `PALISADE_MACHINE_TOKEN:${MACHINE}`,
      "--var",
      `PALISADE_ADMIN_TOKEN:${ADMIN}`,
    );
    this.child = spawn(process.execPath, args, {
      cwd: root,
      stdio: "ignore",
      env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
    });
    for (let i = 0; i < 240; i++) {
      try {
        if ((await fetch(`${this.url}/_palisade/v1/health`)).ok) return;
      } catch {}
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error("wrangler dev did not come up");
  }

  async stop(): Promise<void> {
    const c = this.child;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise((r) => c.once("exit", r));
    c.kill("SIGTERM");
    await exited;
  }

  /** Lines the Worker counted: the `lines` of the batches it completed (first time only). */
  async counted(): Promise<number> {
    const res = await fetch(`${this.url}/_palisade/v1/admin/metrics`, {
      headers: { authorization: `Bearer ${ADMIN}` },
    }).catch(() => undefined);
    if (!res?.ok) return 0;
    const m = (await res.json()) as { ingest: { lines: number }[] };
    return m.ingest.reduce((n, r) => n + r.lines, 0);
  }
}

describe("shipper → Worker end to end", () => {
  it("counts every line of a log rotated twice, across a Worker restart, exactly once", async () => {
    const dir = mkdtempSync(join(tmpdir(), "palisade-ship-e2e-"));
    const worker = new LocalWorker(await freePort(), join(dir, "worker-state"));
    await worker.start();
    try {
      let last = 0;
      const r = await rotateTwiceWithRestart(
        {
          url: worker.url,
          token: MACHINE,
          restart: async () => {
            await worker.stop();
            await worker.start();
          },
          // The Worker reports a count, not the lines: stand-ins of the right number.
          countedLines: async () => {
            last = await worker.counted().catch(() => last);
            return Array.from({ length: last }, () => "");
          },
        },
        dir,
      );
      expect(r.shipperExit).toBe(0);
      expect(await worker.counted()).toBe(r.written.length);
      expect(r.shipperLog.match(/file rotated or deleted/g)?.length).toBe(2);
      // The restart really interrupted delivery: the shipper had to retry.
      expect(r.shipperLog).toContain("send failed, retrying");
    } finally {
      await worker.stop();
    }
  }, 180_000);
});
