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

function scan(root: TrieNode, s: string): boolean {
  let n = root;
  for (let k = 0; k < s.length; k++) {
    const c = s.charCodeAt(k);
    let next = n.next.get(c);
    while (!next && n !== root) {
      n = n.fail as TrieNode;
      next = n.next.get(c);
    }
    n = next ?? root;
    if (n.out) return true;
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
    const root = ahoCorasick(patterns);
    return (s) => scan(root, s);
  }
  const reverse = op === "endsWith";
  const root = trie(patterns, reverse);
  return (s) => walk(root, s, reverse);
}
