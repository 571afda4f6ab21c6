/**
 * The Projects v2 filter syntax subset that `ProjectV2.items(query:)` accepts:
 * `field:value`, `-field:value`, quoted values, `a,b` meaning either, `no:field`,
 * `has:field`, `is:open|closed|issue|pr|draft|archived`, `repo:owner/name`, bare words
 * matching the title. Field names are case-insensitive; spaces are quoted or hyphens.
 */

/** What the filter needs to know about one item. */
export interface FilterableItem {
  archived: boolean;
  contentType: "Issue" | "PullRequest" | "DraftIssue";
  /** Issue or PR state; drafts count as open. */
  open: boolean;
  repo: string | null;
  title: string;
  /** Values by normalized field name (see `normalizeFieldName`). */
  values: ReadonlyMap<string, string>;
}

interface Term {
  negated: boolean;
  key: string | null;
  values: string[];
}

export function normalizeFieldName(name: string): string {
  return name.trim().toLowerCase().replace(/\s+/g, "-");
}

/** Splits on whitespace outside double quotes; keeps quotes for the next stage. */
function tokens(query: string): string[] {
  const out: string[] = [];
  let current = "";
  let quoted = false;
  for (const char of query) {
    if (char === '"') quoted = !quoted;
    if (!quoted && /\s/.test(char)) {
      if (current !== "") out.push(current);
      current = "";
    } else {
      current += char;
    }
  }
  if (current !== "") out.push(current);
  return out;
}

/** Splits on `separator` outside quotes and strips the quotes. */
function splitOutsideQuotes(text: string, separator: string, limit = Infinity): string[] {
  const parts: string[] = [];
  let current = "";
  let quoted = false;
  for (const char of text) {
    if (char === '"') {
      quoted = !quoted;
      continue;
    }
    if (!quoted && char === separator && parts.length < limit - 1) {
      parts.push(current);
      current = "";
    } else {
      current += char;
    }
  }
  parts.push(current);
  return parts;
}

function parseTerm(token: string): Term {
  const negated = token.startsWith("-") && token.length > 1;
  const body = negated ? token.slice(1) : token;
  const [head, rest] = splitOutsideQuotes(body, ":", 2);
  if (rest === undefined || head === undefined || head === "") {
    return { negated, key: null, values: [splitOutsideQuotes(body, "\u0000").join("")] };
  }
  const values = splitOutsideQuotes(rest, ",")
    .map((value) => value.trim())
    .filter((value) => value !== "");
  return { negated, key: normalizeFieldName(head), values };
}

function matchesIs(item: FilterableItem, value: string): boolean {
  switch (value.toLowerCase()) {
    case "open":
      return item.open;
    case "closed":
      return !item.open;
    case "issue":
      return item.contentType === "Issue";
    case "pr":
      return item.contentType === "PullRequest";
    case "draft":
      return item.contentType === "DraftIssue";
    case "archived":
      return item.archived;
    default:
      return false;
  }
}

function matchesTerm(item: FilterableItem, term: Term): boolean {
  if (term.key === null) {
    const word = term.values[0]?.toLowerCase() ?? "";
    return item.title.toLowerCase().includes(word);
  }
  const anyOf = (test: (value: string) => boolean): boolean => term.values.some(test);
  switch (term.key) {
    case "is":
      return anyOf((value) => matchesIs(item, value));
    case "repo":
      return anyOf((value) => item.repo?.toLowerCase() === value.toLowerCase());
    case "no":
      return anyOf((value) => !item.values.has(normalizeFieldName(value)));
    case "has":
      return anyOf((value) => item.values.has(normalizeFieldName(value)));
    default: {
      const actual = item.values.get(term.key);
      if (actual === undefined) return false;
      return anyOf((value) => value.toLowerCase() === actual.toLowerCase());
    }
  }
}

/** Returns a predicate; archived items match only when the query asks for `is:archived`. */
export function compileItemFilter(query: string): (item: FilterableItem) => boolean {
  const terms = tokens(query).map(parseTerm);
  const wantsArchived = terms.some(
    (term) => term.key === "is" && !term.negated && term.values.some((v) => v.toLowerCase() === "archived"),
  );
  return (item) => {
    if (item.archived && !wantsArchived) return false;
    return terms.every((term) => matchesTerm(item, term) !== term.negated);
  };
}
