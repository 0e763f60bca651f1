// globalValidation.excludedPaths matching. Easy Auth matches a path exactly, not as a prefix: to exclude
// everything below a folder the entry ends in "/*"; a "*" inside a segment matches within that segment
// ("/workbox-*.js"). Matching is per decoded path segment and case-insensitive, like the host's routing,
// so an encoded "/" (%2F) can never make a path look excluded while it routes somewhere else.
import { decodeSegment } from "./http-util";

type Matcher = (segments: string[]) => boolean;

const splitPath = (path: string): string[] =>
  path
    .split("?")[0]!
    .split("/")
    .filter((s, i, all) => !(s === "" && (i === 0 || i === all.length - 1)));

function globSegment(pattern: string): (s: string) => boolean {
  if (!pattern.includes("*")) return (s) => s === pattern;
  const re = new RegExp(
    `^${pattern
      .split("*")
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
      .join("[^/]*")}$`,
  );
  return (s) => re.test(s);
}

function compile(entry: string): Matcher {
  const parts = splitPath(entry.toLowerCase());
  const subtree = parts[parts.length - 1] === "*";
  const fixed = (subtree ? parts.slice(0, -1) : parts).map(globSegment);
  return (segments) => {
    if (subtree ? segments.length <= fixed.length : segments.length !== fixed.length) return false;
    return fixed.every((m, i) => m(segments[i]!));
  };
}

export class ExcludedPaths {
  private readonly matchers: Matcher[];

  constructor(entries: readonly string[]) {
    this.matchers = entries.map(compile);
  }

  /** `pathname` as it arrives (percent-encoded); each segment is decoded before comparing. */
  matches(pathname: string): boolean {
    if (this.matchers.length === 0) return false;
    const segments = splitPath(pathname).map((s) => decodeSegment(s).toLowerCase());
    return this.matchers.some((m) => m(segments));
  }
}
