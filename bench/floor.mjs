// The floor for `npm run bench:core`: read the file the way `palisade replay` does (1 MB
// chunks, each line decoded from its bytes) and run one access-log regex per line,
// nothing else. Prints one JSON line.
import { createReadStream } from "node:fs";

const ACCESS = /^(\S+) \S+ (\S+) \[([^\]]+)\] "([^"]*)" (\d{3}) (\d+|-) "([^"]*)" "([^"]*)"/;
const file = process.argv[2];
const started = performance.now();
let lines = 0;
let matched = 0;
let carry;
const test = (line) => {
  lines++;
  if (ACCESS.exec(line)) matched++;
};
for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
  let start = 0;
  let nl = chunk.indexOf(10);
  if (carry && nl !== -1) {
    test(Buffer.concat([carry, chunk.subarray(0, nl)]).toString("utf8"));
    carry = undefined;
    start = nl + 1;
    nl = chunk.indexOf(10, start);
  }
  while (nl !== -1) {
    test(chunk.toString("utf8", start, nl));
    start = nl + 1;
    nl = chunk.indexOf(10, start);
  }
  if (start < chunk.length)
    carry = carry
      ? Buffer.concat([carry, chunk.subarray(start)])
      : Buffer.from(chunk.subarray(start));
}
if (carry) test(carry.toString("utf8"));
const secs = (performance.now() - started) / 1000;
console.log(
  JSON.stringify({
    lines,
    matched,
    seconds: secs,
    lines_per_s: lines / secs,
    max_rss_mb: process.resourceUsage().maxRSS / 1024,
  }),
);
