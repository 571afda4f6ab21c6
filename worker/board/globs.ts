/**
 * Path patterns of areas and file locks, and the exact question the lock rules ask of them:
 * is there a path that both patterns match? Pure; used by the lock rules.
 * Syntax: `src/app/` (a directory: everything beneath), literal paths, `*` (any run without
 * a slash), `?` (one character, not a slash), `**` (anything, slashes included; `a/**\/b`
 * also matches `a/b`). Other characters are literal; there are no brackets or braces.
 */

type Token =
  | { kind: "char"; char: string }
  /** `?` */
  | { kind: "one" }
  /** `*` */
  | { kind: "star" }
  /** `**` */
  | { kind: "globstar" }
  /** Before a whole-segment `**\/`: the `**` and its `/` may match nothing at all. */
  | { kind: "optional"; length: number };

/** Trims and drops a leading `./` or `/`: paths are relative to the repo root. */
export function normalizePattern(pattern: string): string {
  return pattern.trim().replace(/^(?:\.\/|\/)+/, "");
}

export function isGlob(pattern: string): boolean {
  return /[*?]/.test(pattern) || pattern.endsWith("/");
}

function compile(pattern: string): Token[] {
  const text = normalizePattern(pattern);
  const tokens: Token[] = [];
  for (let index = 0; index < text.length; index += 1) {
    const char = text[index] ?? "";
    if (char === "*" && text[index + 1] === "*") {
      const atSegmentStart = index === 0 || text[index - 1] === "/";
      if (atSegmentStart && text[index + 2] === "/") {
        tokens.push({ kind: "optional", length: 2 }, { kind: "globstar" }, { kind: "char", char: "/" });
        index += 2;
      } else {
        tokens.push({ kind: "globstar" });
        index += 1;
      }
    } else if (char === "*") {
      tokens.push({ kind: "star" });
    } else if (char === "?") {
      tokens.push({ kind: "one" });
    } else {
      tokens.push({ kind: "char", char });
    }
  }
  // A directory holds every path beneath it: at least one more character, then anything.
  if (text.endsWith("/")) tokens.push({ kind: "one" }, { kind: "globstar" });
  return tokens;
}

/** States reachable from `state` without consuming a character (itself included). */
function closure(tokens: readonly Token[], state: number): number[] {
  const out: number[] = [];
  const stack = [state];
  const seen = new Set<number>();
  while (stack.length > 0) {
    const current = stack.pop() ?? 0;
    if (seen.has(current)) continue;
    seen.add(current);
    out.push(current);
    const token = tokens[current];
    if (token?.kind === "star" || token?.kind === "globstar" || token?.kind === "optional")
      stack.push(current + 1);
    if (token?.kind === "optional") stack.push(current + 1 + token.length);
  }
  return out;
}

/** The state after consuming `char` in `state`, or -1 when the token refuses it. */
function step(tokens: readonly Token[], state: number, char: string): number {
  const token = tokens[state];
  if (token === undefined) return -1;
  switch (token.kind) {
    case "char":
      return token.char === char ? state + 1 : -1;
    case "one":
      return char === "/" ? -1 : state + 1;
    case "star":
      return char === "/" ? -1 : state;
    case "globstar":
      return state;
    case "optional":
      return -1;
  }
}

function literalChars(tokens: readonly Token[]): string[] {
  return tokens.flatMap((token) => (token.kind === "char" ? [token.char] : []));
}

/**
 * True when some path matches both patterns. Exact: a search over pairs of pattern
 * positions (the product of the two patterns' automata), trying each literal character of
 * either pattern, `/`, and one character that neither pattern names.
 */
export function globsOverlap(a: string, b: string): boolean {
  const left = compile(a);
  const right = compile(b);
  const alphabet = new Set([...literalChars(left), ...literalChars(right), "/"]);
  alphabet.add("\u0000");
  const seen = new Set<number>();
  const width = right.length + 1;
  const queue: Array<[number, number]> = [];
  const visit = (i: number, j: number): void => {
    for (const x of closure(left, i)) {
      for (const y of closure(right, j)) {
        const key = x * width + y;
        if (!seen.has(key)) {
          seen.add(key);
          queue.push([x, y]);
        }
      }
    }
  };
  visit(0, 0);
  while (queue.length > 0) {
    const [i, j] = queue.shift() ?? [0, 0];
    if (i === left.length && j === right.length) return true;
    for (const char of alphabet) {
      const nextLeft = step(left, i, char);
      const nextRight = step(right, j, char);
      if (nextLeft >= 0 && nextRight >= 0) visit(nextLeft, nextRight);
    }
  }
  return false;
}

/** True when the literal `path` matches `pattern`. */
export function globMatches(pattern: string, path: string): boolean {
  const tokens = compile(pattern);
  let states = new Set(closure(tokens, 0));
  for (const char of normalizePattern(path)) {
    const next = new Set<number>();
    for (const state of states) {
      const after = step(tokens, state, char);
      if (after >= 0) for (const reached of closure(tokens, after)) next.add(reached);
    }
    if (next.size === 0) return false;
    states = next;
  }
  return states.has(tokens.length);
}
