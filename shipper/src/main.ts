/**
 * palisade-ship: tails server logs (files, journald, stdin) and pushes their lines to the
 * Palisade Worker. Bundled to shipper/dist/palisade-ship.mjs: one file, Node ≥ 20, no
 * dependency beyond Node's standard library. See shipper/README.md.
 */
import { main } from "./cli/command";

const code = await main(process.argv.slice(2), {
  env: process.env,
  stdout: process.stdout,
  stderr: process.stderr,
});
process.exitCode = code;
// Watchers, sockets and timers are closed by now; exit without waiting on stray handles.
process.stdout.write("", () => process.exit(code));
