// The floor for `npm run bench:core`: read the file the way `palisade replay` does and
// run one access-log regex per line, nothing else. Prints one JSON line.
import { createReadStream } from "node:fs";
import { StringDecoder } from "node:string_decoder";

const ACCESS = /^(\S+) \S+ (\S+) \[([^\]]+)\] "([^"]*)" (\d{3}) (\d+|-) "([^"]*)" "([^"]*)"/;
const file = process.argv[2];
const started = performance.now();
let lines = 0;
let matched = 0;
let rest = "";
const decoder = new StringDecoder("utf8");
for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
  const text = rest + decoder.write(chunk);
  let start = 0;
  let nl = text.indexOf("\n");
  while (nl !== -1) {
    lines++;
    if (ACCESS.exec(text.slice(start, nl))) matched++;
    start = nl + 1;
    nl = text.indexOf("\n", start);
  }
  rest = text.slice(start);
}
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
