import { SyntaxFailure, type Token } from "./lexer";

/** Token navigation and error reporting for the parser. */
export class TokenCursor {
  protected i = 0;

  constructor(
    protected readonly toks: Token[],
    protected readonly src: string,
  ) {}

  /** "column 7", or "line 2, column 3" in a multi-line expression (1-based). */
  protected at(pos: number): string {
    const before = this.src.slice(0, pos);
    const line = before.split("\n").length;
    const col = pos - before.lastIndexOf("\n");
    return this.src.includes("\n") ? `line ${line}, column ${col}` : `column ${col}`;
  }

  protected get cur(): Token {
    return this.toks[this.i] as Token;
  }

  protected next(): Token {
    const t = this.cur;
    if (t.kind !== "eof") this.i++;
    return t;
  }

  protected isOp(v: string): boolean {
    return this.cur.kind === "op" && this.cur.value === v;
  }

  protected isName(v: string): boolean {
    return this.cur.kind === "name" && this.cur.value === v;
  }

  protected expectOp(v: string, what: string): Token {
    if (!this.isOp(v)) this.fail(`expected "${v}" ${what}`);
    return this.next();
  }

  fail(expected: string, at: Token = this.cur): never {
    throw new SyntaxFailure(at.pos, `${expected} but found ${describe(at)}`);
  }

  expectEnd(): void {
    if (this.cur.kind !== "eof") this.fail("expected an operator or the end of the expression");
  }
}

export function number(tok: Token): number {
  const text = tok.value.replaceAll("_", "");
  if (/^0[xXoObB]/.test(text)) {
    const radix = { x: 16, o: 8, b: 2 }[text[1]?.toLowerCase() as "x" | "o" | "b"];
    return Number.parseInt(text.slice(2), radix);
  }
  return Number(text);
}

function describe(t: Token): string {
  if (t.kind === "eof") return "the end of the expression";
  if (t.kind === "string") return `the string ${JSON.stringify(t.value)}`;
  return `"${t.value}"`;
}
