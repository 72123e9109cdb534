/**
 * A progress bar on stderr for long replays, shown only on a terminal and only for
 * inputs over a few MB, redrawn at most every 200 ms.
 */
const MIN_BYTES = 4 * 1024 * 1024;

export interface Progress {
  add(bytes: number): void;
  done(): void;
}

const noop: Progress = { add: () => {}, done: () => {} };

export function progressBar(
  totalBytes: number,
  stream: NodeJS.WriteStream = process.stderr,
): Progress {
  if (!stream.isTTY || totalBytes < MIN_BYTES) return noop;
  let seen = 0;
  let last = 0;
  const started = Date.now();
  const draw = () => {
    const frac = Math.min(1, seen / totalBytes);
    const width = 30;
    const filled = Math.round(frac * width);
    const secs = (Date.now() - started) / 1000;
    const mb = (seen / 1048576).toFixed(1);
    const rate = secs > 0 ? (seen / 1048576 / secs).toFixed(1) : "-";
    stream.write(
      `\r[${"#".repeat(filled)}${" ".repeat(width - filled)}] ${(frac * 100).toFixed(0)}% ${mb} MB ${rate} MB/s `,
    );
  };
  return {
    add(bytes) {
      seen += bytes;
      const now = Date.now();
      if (now - last > 200) {
        last = now;
        draw();
      }
    },
    done() {
      draw();
      stream.write("\n");
    },
  };
}
