import type { Node } from "./ast";
import { number, TokenCursor } from "./cursor";
import { BINARY, NEGATABLE, PREDICATE_BUILTINS, UNARY } from "./grammar";
import { type Token, tokenize } from "./lexer";

/**
 * Pratt parser following expr-lang's grammar and operator table, so precedence quirks
 * match CrowdSec (e.g. `not a == b` is `(not a) == b`, as in expr).
 */

const MAX_DEPTH = 128;

export function parse(src: string): Node {
  const p = new Parser(tokenize(src), src);
  const node = p.sequence();
  p.expectEnd();
  return node;
}

class Parser extends TokenCursor {
  private depth = 0;
  private closures = 0;

  sequence(): Node {
    const first = this.expression(0);
    if (!this.isOp(";")) return first;
    const nodes = [first];
    while (this.isOp(";")) {
      this.next();
      if (this.cur.kind === "eof" || this.isOp("}") || this.isOp(")")) break;
      nodes.push(this.expression(0));
    }
    return nodes.length === 1 ? first : { kind: "sequence", pos: first.pos, nodes };
  }

  expression(prec: number): Node {
    if (++this.depth > MAX_DEPTH) this.fail(`expression nested deeper than ${MAX_DEPTH} levels`);
    try {
      if (prec === 0 && this.isName("let")) return this.letBinding();
      if (prec === 0 && this.isName("if")) return this.ifElse();
      let left = this.unary();
      left = this.binaryTail(left, prec);
      return prec === 0 ? this.conditional(left) : left;
    } finally {
      this.depth--;
    }
  }

  private binaryTail(start: Node, prec: number): Node {
    let left = start;
    for (;;) {
      const tok = this.cur;
      if (tok.kind !== "op") return left;
      let opTok = tok;
      const negate = tok.value === "not";
      if (negate) {
        const after = this.toks[this.i + 1] as Token;
        if (after.kind !== "op" || !NEGATABLE.has(after.value)) {
          this.fail(
            'expected "in", "matches", "contains", "startsWith" or "endsWith" after "not"',
            after,
          );
        }
        opTok = after;
      }
      const op = BINARY[opTok.value];
      if (!op || op.prec < prec) return left;
      if (negate) this.next();
      this.next();
      if (opTok.value === "|") {
        left = this.pipe(left);
        continue;
      }
      const right = this.expression(op.right ? op.prec : op.prec + 1);
      left = { kind: "binary", pos: opTok.pos, op: opTok.value, left, right };
      if (negate) left = { kind: "unary", pos: tok.pos, op: "not", operand: left };
    }
  }

  private conditional(cond: Node): Node {
    let node = cond;
    while (this.isOp("?")) {
      const q = this.next();
      if (this.isOp(":")) {
        this.next();
        node = {
          kind: "conditional",
          pos: q.pos,
          cond: node,
          yes: node,
          no: this.expression(0),
        };
        continue;
      }
      const then = this.expression(0);
      this.expectOp(":", "between the two branches of ?:");
      node = { kind: "conditional", pos: q.pos, cond: node, yes: then, no: this.expression(0) };
    }
    return node;
  }

  private letBinding(): Node {
    const start = this.next();
    if (this.cur.kind !== "name") this.fail('expected a variable name after "let"');
    const name = this.next().value;
    this.expectOp("=", `after "let ${name}"`);
    const value = this.expression(0);
    this.expectOp(";", `after the value of "let ${name}"`);
    return { kind: "let", pos: start.pos, name, value, body: this.sequence() };
  }

  private ifElse(): Node {
    const start = this.next();
    const cond = this.expression(0);
    const then = this.block('after the "if" condition');
    let otherwise: Node = { kind: "literal", pos: this.cur.pos, value: null };
    if (this.isName("else")) {
      this.next();
      otherwise = this.isName("if") ? this.ifElse() : this.block('after "else"');
    }
    return { kind: "conditional", pos: start.pos, cond, yes: then, no: otherwise };
  }

  private block(what: string): Node {
    this.expectOp("{", what);
    const body = this.sequence();
    this.expectOp("}", "to close the block");
    return body;
  }

  private unary(): Node {
    const tok = this.cur;
    const prec = tok.kind === "op" ? UNARY[tok.value] : undefined;
    if (prec === undefined) return this.postfix(this.primary());
    this.next();
    const operand = this.expression(prec);
    return { kind: "unary", pos: tok.pos, op: tok.value === "!" ? "not" : tok.value, operand };
  }

  private pipe(left: Node): Node {
    const nameTok = this.cur;
    if (nameTok.kind !== "name") this.fail('expected a function call after "|"');
    this.next();
    const at = PREDICATE_BUILTINS.has(nameTok.value) ? 0 : -1;
    const args = this.isOp("(") ? this.callArgs(nameTok.value, at) : [];
    return { kind: "call", pos: nameTok.pos, name: nameTok.value, args: [left, ...args] };
  }

  private primary(): Node {
    const tok = this.cur;
    if (tok.kind === "number") return { kind: "literal", pos: this.next().pos, value: number(tok) };
    if (tok.kind === "string") return { kind: "literal", pos: this.next().pos, value: tok.value };
    if (tok.kind === "name") return this.nameOrCall();
    if (tok.kind !== "op") this.fail("expected a value");
    switch (tok.value) {
      case "(": {
        this.next();
        const inner = this.sequence();
        this.expectOp(")", `to close "(" at ${this.at(tok.pos)}`);
        return inner;
      }
      case "[":
        return this.arrayLiteral();
      case "{":
        return this.mapLiteral();
      case "#":
        return this.pointer();
      case ".": {
        // `.Field` inside a predicate is `#.Field`.
        if (this.closures === 0)
          this.fail("expected a value (`.Field` is only valid inside a predicate)");
        this.next();
        const pointer: Node = { kind: "pointer", pos: tok.pos, name: "" };
        return this.memberAfterDot(pointer, tok, false);
      }
    }
    return this.fail("expected a value");
  }

  private nameOrCall(): Node {
    const tok = this.next();
    switch (tok.value) {
      case "true":
        return { kind: "literal", pos: tok.pos, value: true };
      case "false":
        return { kind: "literal", pos: tok.pos, value: false };
      case "nil":
        return { kind: "literal", pos: tok.pos, value: null };
      case "let":
      case "if":
        this.fail(`"${tok.value}" can only start an expression: wrap it in parentheses`, tok);
    }
    if (!this.isOp("(")) return { kind: "name", pos: tok.pos, name: tok.value };
    const at = PREDICATE_BUILTINS.has(tok.value) ? 1 : -1;
    return { kind: "call", pos: tok.pos, name: tok.value, args: this.callArgs(tok.value, at) };
  }

  /** `predicateAt` is the index (among written arguments) of a predicate, or -1. */
  private callArgs(name: string, predicateAt: number): Node[] {
    const open = this.expectOp("(", `after "${name}"`);
    const args: Node[] = [];
    while (!this.isOp(")")) {
      const predicate = args.length === predicateAt;
      args.push(predicate ? this.predicate() : this.expression(0));
      if (!this.isOp(",")) break;
      this.next();
    }
    this.expectOp(")", `to close the arguments of ${name}( at ${this.at(open.pos)}`);
    return args;
  }

  private predicate(): Node {
    const start = this.cur;
    this.closures++;
    try {
      if (!this.isOp("{")) return { kind: "closure", pos: start.pos, body: this.expression(0) };
      this.next();
      const body = this.sequence();
      this.expectOp("}", `to close the predicate "{" at ${this.at(start.pos)}`);
      return { kind: "closure", pos: start.pos, body };
    } finally {
      this.closures--;
    }
  }

  private pointer(): Node {
    const tok = this.next();
    if (this.closures === 0)
      this.fail("expected a value (`#` is only valid inside a predicate)", tok);
    const after = this.cur;
    if (after.kind === "name" && after.pos === tok.end) {
      this.next();
      return { kind: "pointer", pos: tok.pos, name: after.value };
    }
    return { kind: "pointer", pos: tok.pos, name: "" };
  }

  private arrayLiteral(): Node {
    const open = this.next();
    const items: Node[] = [];
    while (!this.isOp("]")) {
      items.push(this.expression(0));
      if (!this.isOp(",")) break;
      this.next();
    }
    this.expectOp("]", `to close the array "[" at ${this.at(open.pos)}`);
    return { kind: "array", pos: open.pos, items };
  }

  private mapLiteral(): Node {
    const open = this.next();
    const entries: { key: string; value: Node }[] = [];
    while (!this.isOp("}")) {
      const k = this.cur;
      if (k.kind !== "name" && k.kind !== "string" && k.kind !== "number") {
        this.fail("expected a map key (a name, string or number)");
      }
      this.next();
      this.expectOp(":", "after the map key");
      entries.push({
        key: k.kind === "number" ? String(number(k)) : k.value,
        value: this.expression(0),
      });
      if (!this.isOp(",")) break;
      this.next();
    }
    this.expectOp("}", `to close the map "{" at ${this.at(open.pos)}`);
    return { kind: "map", pos: open.pos, entries };
  }

  private postfix(start: Node): Node {
    let node = start;
    let optionalSeen = false;
    for (;;) {
      const tok = this.cur;
      if (this.isOp(".") || this.isOp("?.")) {
        this.next();
        const optional = tok.value === "?.";
        optionalSeen ||= optional;
        node = this.memberAfterDot(node, tok, optional);
      } else if (this.isOp("[") || this.isOp("?.[")) {
        this.next();
        const optional = tok.value === "?.[";
        optionalSeen ||= optional;
        node = this.indexOrSlice(node, tok, optional);
      } else {
        return optionalSeen ? { kind: "chain", pos: start.pos, node } : node;
      }
    }
  }

  private memberAfterDot(object: Node, dot: Token, optional: boolean): Node {
    const t = this.cur;
    if (t.kind !== "name" && !(t.kind === "op" && /^[a-zA-Z]/.test(t.value))) {
      this.fail(`expected a field name after "${dot.value}"`);
    }
    this.next();
    if (this.isOp("(")) {
      const args = this.callArgs(t.value, -1);
      return { kind: "method", pos: t.pos, object, name: t.value, args, optional };
    }
    const property: Node = { kind: "literal", pos: t.pos, value: t.value };
    return { kind: "member", pos: t.pos, object, property, optional };
  }

  private indexOrSlice(object: Node, open: Token, optional: boolean): Node {
    let from: Node | null = null;
    if (!this.isOp(":")) {
      from = this.expression(0);
      if (!this.isOp(":")) {
        this.expectOp("]", `to close the index "[" at ${this.at(open.pos)}`);
        return { kind: "member", pos: open.pos, object, property: from, optional };
      }
    }
    this.next();
    const to = this.isOp("]") ? null : this.expression(0);
    this.expectOp("]", `to close the slice "[" at ${this.at(open.pos)}`);
    return { kind: "slice", pos: open.pos, object, from, to };
  }
}
