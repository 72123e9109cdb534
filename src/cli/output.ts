/**
 * Buffered line output: one write per ~64 KB instead of per line, waiting for drain
 * so a slow consumer (a pipe to jq) applies backpressure instead of filling memory.
 */
export class LineWriter {
  private buf: string[] = [];
  private size = 0;

  constructor(private readonly stream: NodeJS.WritableStream = process.stdout) {}

  async line(text: string): Promise<void> {
    this.buf.push(text);
    this.size += text.length + 1;
    if (this.size >= 65536) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.buf.length === 0) return;
    const chunk = `${this.buf.join("\n")}\n`;
    this.buf = [];
    this.size = 0;
    if (!this.stream.write(chunk)) {
      await new Promise<void>((resolve) => this.stream.once("drain", () => resolve()));
    }
  }
}
