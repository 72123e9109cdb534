/**
 * A subset of Go's text/template, enough for CrowdSec's notification formats: text with
 * `{{ }}` actions (trim markers `{{-`/`-}}`, comments), `if`/`else if`/`else`, `range`
 * (with `$i, $v :=`), `with`, variables (`$x := …`, `$x = …`, `$`), pipelines with `|`,
 * function calls, fields (`.Source.IP`, `$a.Decisions`), string/number/bool literals and
 * parentheses. Parse errors name the offset and what was expected.
 */

export type Operand =
  | { k: "dot"; fields: string[] }
  | { k: "var"; name: string; fields: string[] }
  | { k: "lit"; value: unknown }
  | { k: "fn"; name: string }
  | { k: "sub"; pipe: Pipeline; fields: string[] };

export interface Command {
  args: Operand[];
}

export interface Pipeline {
  decl?: { names: string[]; assign: boolean };
  cmds: Command[];
}

export type Node =
  | { k: "text"; text: string }
  | { k: "out"; pipe: Pipeline }
  | { k: "if" | "with"; pipe: Pipeline; body: Node[]; alt: Node[] }
  | { k: "range"; pipe: Pipeline; body: Node[]; alt: Node[] };

export class TemplateError extends Error {
  override name = "TemplateError";
}

interface Action {
  body: string;
  at: number;
}

/** Splits the source into text and actions, applying trim markers. */
function tokenize(src: string): (string | Action)[] {
  const out: (string | Action)[] = [];
  let i = 0;
  while (i < src.length) {
    const open = src.indexOf("{{", i);
    if (open < 0) {
      out.push(src.slice(i));
      break;
    }
    let text = src.slice(i, open);
    const close = src.indexOf("}}", open + 2);
    if (close < 0) throw new TemplateError(`unclosed action at offset ${open}`);
    let body = src.slice(open + 2, close);
    if (/^-\s/.test(body)) {
      text = text.replace(/\s+$/, "");
      body = body.slice(1);
    }
    let next = close + 2;
    if (/\s-$/.test(body)) {
      body = body.slice(0, -1);
      const m = /^\s*/.exec(src.slice(next));
      next += m ? m[0].length : 0;
    }
    if (text) out.push(text);
    const trimmed = body.trim();
    if (!(trimmed.startsWith("/*") && trimmed.endsWith("*/")))
      out.push({ body: trimmed, at: open });
    i = next;
  }
  return out;
}

const WORD = /^[A-Za-z_][A-Za-z0-9_]*/;

class ExprParser {
  private i = 0;
  constructor(
    private readonly s: string,
    private readonly at: number,
  ) {}

  fail(what: string): never {
    throw new TemplateError(`${what} at offset ${this.at + this.i} in {{${this.s}}}`);
  }

  private ws(): void {
    while (this.i < this.s.length && /\s/.test(this.s[this.i] as string)) this.i++;
  }

  done(): boolean {
    this.ws();
    return this.i >= this.s.length;
  }

  pipeline(): Pipeline {
    const p: Pipeline = { cmds: [] };
    const decl = /^(\$[A-Za-z0-9_]*)(?:\s*,\s*(\$[A-Za-z0-9_]*))?\s*(:=|=)/.exec(
      this.s.slice(this.i),
    );
    if (decl) {
      p.decl = {
        names: [decl[1], decl[2]].filter((x): x is string => !!x),
        assign: decl[3] === "=",
      };
      this.i += decl[0].length;
    }
    for (;;) {
      p.cmds.push(this.command());
      this.ws();
      if (this.s[this.i] !== "|") break;
      this.i++;
    }
    return p;
  }

  private command(): Command {
    const args: Operand[] = [];
    for (;;) {
      this.ws();
      const c = this.s[this.i];
      if (c === undefined || c === "|" || c === ")") break;
      args.push(this.operand());
    }
    if (args.length === 0) this.fail("expected a value");
    return { args };
  }

  private fields(): string[] {
    const out: string[] = [];
    while (this.s[this.i] === ".") {
      const m = WORD.exec(this.s.slice(this.i + 1));
      if (!m) break;
      out.push(m[0]);
      this.i += 1 + m[0].length;
    }
    return out;
  }

  private operand(): Operand {
    const rest = this.s.slice(this.i);
    const c = rest[0];
    if (c === ".") {
      const fields = this.fields();
      if (fields.length === 0) this.i++;
      return { k: "dot", fields };
    }
    if (c === "$") {
      const m = /^\$[A-Za-z0-9_]*/.exec(rest) as RegExpExecArray;
      this.i += m[0].length;
      return { k: "var", name: m[0], fields: this.fields() };
    }
    if (c === "(") {
      this.i++;
      const pipe = this.pipeline();
      this.ws();
      if (this.s[this.i] !== ")") this.fail("expected )");
      this.i++;
      return { k: "sub", pipe, fields: this.fields() };
    }
    if (c === '"') {
      const m = /^"(?:[^"\\]|\\.)*"/.exec(rest);
      if (!m) this.fail("unterminated string");
      this.i += m[0].length;
      return { k: "lit", value: JSON.parse(m[0]) };
    }
    if (c === "`") {
      const end = rest.indexOf("`", 1);
      if (end < 0) this.fail("unterminated raw string");
      this.i += end + 1;
      return { k: "lit", value: rest.slice(1, end) };
    }
    const num = /^-?\d+(?:\.\d+)?/.exec(rest);
    if (num) {
      this.i += num[0].length;
      return { k: "lit", value: Number(num[0]) };
    }
    const word = WORD.exec(rest);
    if (!word) this.fail(`unexpected ${JSON.stringify(c)}`);
    this.i += word[0].length;
    if (word[0] === "true" || word[0] === "false") return { k: "lit", value: word[0] === "true" };
    if (word[0] === "nil") return { k: "lit", value: null };
    return { k: "fn", name: word[0] };
  }
}

function parsePipe(body: string, at: number): Pipeline {
  const p = new ExprParser(body, at);
  const pipe = p.pipeline();
  if (!p.done()) p.fail("unexpected text after the pipeline");
  return pipe;
}

/** Parses a template into its node tree; throws TemplateError on bad syntax. */
export function parseTemplate(src: string): Node[] {
  const tokens = tokenize(src);
  let pos = 0;
  const block = (
    ends: readonly string[],
  ): { nodes: Node[]; end: string; rest: string; at: number } => {
    const nodes: Node[] = [];
    while (pos < tokens.length) {
      const t = tokens[pos++] as string | Action;
      if (typeof t === "string") {
        nodes.push({ k: "text", text: t });
        continue;
      }
      const kw = /^(if|else|end|range|with|define|template|block)\b\s*/.exec(t.body);
      const word = kw?.[1];
      if (word === "end" || word === "else") {
        if (!ends.includes(word))
          throw new TemplateError(`unexpected {{${word}}} at offset ${t.at}`);
        return { nodes, end: word, rest: t.body.slice(kw?.[0].length ?? 0), at: t.at };
      }
      if (word === "if" || word === "with" || word === "range") {
        nodes.push(control(word, t.body.slice(kw?.[0].length ?? 0), t.at));
        continue;
      }
      if (word) throw new TemplateError(`{{${word}}} is not supported (offset ${t.at})`);
      nodes.push({ k: "out", pipe: parsePipe(t.body, t.at) });
    }
    if (ends.length > 0) throw new TemplateError(`missing {{end}}`);
    return { nodes, end: "", rest: "", at: src.length };
  };
  const control = (k: "if" | "with" | "range", expr: string, at: number): Node => {
    const pipe = parsePipe(expr, at);
    const body = block(["end", "else"]);
    let other: Node[] = [];
    if (body.end === "else") {
      const chained = /^if\b\s*/.exec(body.rest);
      if (chained && k !== "range") {
        other = [control("if", body.rest.slice(chained[0].length), body.at)];
      } else {
        other = block(["end"]).nodes;
      }
    }
    return { k, pipe, body: body.nodes, alt: other };
  };
  return block([]).nodes;
}
