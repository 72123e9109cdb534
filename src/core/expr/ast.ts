/** Syntax tree of an expression. `pos` is the UTF-16 offset of the node's first token. */
export type Node =
  | { kind: "literal"; pos: number; value: unknown }
  | { kind: "name"; pos: number; name: string }
  /** `#`, `#index`, `#acc` inside a predicate. */
  | { kind: "pointer"; pos: number; name: string }
  | { kind: "member"; pos: number; object: Node; property: Node; optional: boolean }
  | { kind: "slice"; pos: number; object: Node; from: Node | null; to: Node | null }
  /** Wraps a member chain that contains `?.`, so a nil short-circuits the whole chain. */
  | { kind: "chain"; pos: number; node: Node }
  | { kind: "call"; pos: number; name: string; args: Node[] }
  | { kind: "method"; pos: number; object: Node; name: string; args: Node[]; optional: boolean }
  | { kind: "unary"; pos: number; op: string; operand: Node }
  | { kind: "binary"; pos: number; op: string; left: Node; right: Node }
  | { kind: "conditional"; pos: number; cond: Node; yes: Node; no: Node }
  | { kind: "array"; pos: number; items: Node[] }
  | { kind: "map"; pos: number; entries: { key: string; value: Node }[] }
  | { kind: "closure"; pos: number; body: Node }
  | { kind: "let"; pos: number; name: string; value: Node; body: Node }
  | { kind: "sequence"; pos: number; nodes: Node[] };

export type NodeOf<K extends Node["kind"]> = Extract<Node, { kind: K }>;
