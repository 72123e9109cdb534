// Loaded into the shipper by bench.mjs (node --import): at exit, reports the process's CPU
// time and peak RSS on stderr. Peak RSS is VmHWM (this process's own high-water mark):
// ru_maxrss would also count the pre-exec copy of the parent a spawned child starts as.
import { readFileSync } from "node:fs";

process.on("exit", () => {
  const u = process.resourceUsage();
  const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"));
  const maxRSS = hwm ? Number(hwm[1]) * 1024 : u.maxRSS * 1024;
  process.stderr.write(
    `BENCH ${JSON.stringify({ cpu: (u.userCPUTime + u.systemCPUTime) / 1e6, maxRSS })}\n`,
  );
});
