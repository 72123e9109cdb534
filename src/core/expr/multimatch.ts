/**
 * Matching one string against every entry of a word list at once, for the hub's
 * `any(File("list.txt"), {X contains #})` pattern (and ==, startsWith, endsWith): a Set for
 * equality, tries for prefixes and suffixes, an Aho-Corasick automaton for substrings. Each
 * is linear in the input, however long the list.
 */

export type MultiOp = "==" | "contains" | "startsWith" | "endsWith";

/** Whether the input (the left side) relates by `op` to some pattern (the list entry). */
export type MultiMatcher = (input: string) => boolean;

interface TrieNode {
  next: Map<number, TrieNode>;
  end: boolean;
  fail: TrieNode | null;
  /** Some pattern ends here or at a node on the fail chain (Aho-Corasick output). */
  out: boolean;
}

function node(): TrieNode {
  return { next: new Map(), end: false, fail: null, out: false };
}

function trie(patterns: readonly string[], reverse: boolean): TrieNode {
  const root = node();
  for (const p of patterns) {
    let n = root;
    for (let k = 0; k < p.length; k++) {
      const c = p.charCodeAt(reverse ? p.length - 1 - k : k);
      let child = n.next.get(c);
      if (!child) {
        child = node();
        n.next.set(c, child);
      }
      n = child;
    }
    n.end = true;
    n.out = true;
  }
  return root;
}

function walk(root: TrieNode, s: string, reverse: boolean): boolean {
  let n: TrieNode | undefined = root;
  for (let k = 0; k < s.length; k++) {
    n = n.next.get(s.charCodeAt(reverse ? s.length - 1 - k : k));
    if (!n) return false;
    if (n.end) return true;
  }
  return false;
}

function ahoCorasick(patterns: readonly string[]): TrieNode {
  const root = trie(patterns, false);
  const queue: TrieNode[] = [];
  for (const child of root.next.values()) {
    child.fail = root;
    queue.push(child);
  }
  for (let qi = 0; qi < queue.length; qi++) {
    const n = queue[qi] as TrieNode;
    for (const [c, child] of n.next) {
      let f = n.fail;
      while (f && !f.next.has(c)) f = f.fail;
      child.fail = f ? (f.next.get(c) as TrieNode) : root;
      child.out ||= child.fail.out;
      queue.push(child);
    }
  }
  return root;
}

/**
 * The automaton flattened into a dense table over the characters the patterns use (every
 * other character is class 0): a step is one or two array reads instead of Map lookups
 * along fail links. Rows are state × width; an accepting state's row is stored negated.
 */
interface DenseAutomaton {
  ascii: Uint8Array;
  other: Map<number, number>;
  delta: Int32Array;
}

function dense(root: TrieNode): DenseAutomaton {
  const ascii = new Uint8Array(128);
  const other = new Map<number, number>();
  const states: TrieNode[] = [root];
  const index = new Map<TrieNode, number>([[root, 0]]);
  let classes = 1;
  for (let q = 0; q < states.length; q++) {
    for (const [c, child] of (states[q] as TrieNode).next) {
      if (c < 128 ? ascii[c] === 0 : !other.has(c)) {
        if (c < 128) ascii[c] = classes++;
        else other.set(c, classes++);
      }
      index.set(child, states.length);
      states.push(child);
    }
  }
  const codes = [
    ...Array.from({ length: 128 }, (_, c) => c).filter((c) => ascii[c] !== 0),
    ...other.keys(),
  ];
  const delta = new Int32Array(states.length * classes);
  states.forEach((n, i) => {
    for (const c of codes) {
      const k = c < 128 ? (ascii[c] as number) : (other.get(c) as number);
      const to = step(root, n, c);
      const row = (index.get(to) as number) * classes;
      delta[i * classes + k] = to.out ? ~row : row;
    }
  });
  return { ascii, other, delta };
}

/** The Aho-Corasick transition from `n` on `c`, following fail links. */
function step(root: TrieNode, n: TrieNode, c: number): TrieNode {
  for (let m: TrieNode | null = n; m; m = m.fail) {
    const next = m.next.get(c);
    if (next) return next;
  }
  return root;
}

function scan(a: DenseAutomaton, s: string): boolean {
  const { ascii, other, delta } = a;
  let row = 0;
  for (let k = 0; k < s.length; k++) {
    const c = s.charCodeAt(k);
    row = delta[row + (c < 128 ? (ascii[c] as number) : (other.get(c) ?? 0))] as number;
    if (row < 0) return true;
  }
  return false;
}

export function multiMatcher(op: MultiOp, patterns: readonly string[]): MultiMatcher {
  if (op === "==") {
    const set = new Set(patterns);
    return (s) => set.has(s);
  }
  // Every string contains, starts and ends with "".
  if (patterns.includes("")) return () => true;
  if (op === "contains") {
    const automaton = dense(ahoCorasick(patterns));
    return (s) => scan(automaton, s);
  }
  const reverse = op === "endsWith";
  const root = trie(patterns, reverse);
  return (s) => walk(root, s, reverse);
}
