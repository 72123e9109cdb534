/** A progress bar on stderr for --once, drawn only on a terminal, at most every 200 ms. */

export interface Progress {
  update(bytes: number, lines: number): void;
  done(): void;
}

const noProgress: Progress = { update: () => {}, done: () => {} };

export function progressBar(
  totalBytes: number,
  stream: NodeJS.WriteStream,
  now: () => number,
): Progress {
  if (!stream.isTTY) return noProgress;
  const started = now();
  let last = 0;
  let bytes = 0;
  let lines = 0;
  const draw = () => {
    const frac = totalBytes > 0 ? Math.min(1, bytes / totalBytes) : 0;
    const filled = Math.round(frac * 30);
    const secs = Math.max(0.001, (now() - started) / 1000);
    const pct = totalBytes > 0 ? `${(frac * 100).toFixed(0).padStart(3)}% ` : "";
    stream.write(
      `\r[${"#".repeat(filled)}${" ".repeat(30 - filled)}] ${pct}${lines.toLocaleString("en-US")} lines ${Math.round(lines / secs).toLocaleString("en-US")} lines/s `,
    );
  };
  return {
    update(b, l) {
      bytes = b;
      lines = l;
      const t = now();
      if (t - last < 200) return;
      last = t;
      draw();
    },
    done() {
      draw();
      stream.write("\n");
    },
  };
}
