// A figure measured several times: its median, min and max (and the values, for the JSON).
export interface Stat {
  median: number;
  min: number;
  max: number;
  n: number;
  values: number[];
}

/** null when nothing was measured (e.g. a run that did not produce that step). */
export function stat(values: readonly (number | null | undefined)[]): Stat | null {
  const xs = values.filter((x): x is number => typeof x === "number" && Number.isFinite(x));
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  // the middle element, or the mean of the two middle ones
  const median = ((s[Math.ceil(s.length / 2) - 1] ?? NaN) + (s[Math.floor(s.length / 2)] ?? NaN)) / 2;
  return { median: round(median), min: round(s[0]!), max: round(s[s.length - 1]!), n: s.length, values: xs.map(round) };
}

/** Six significant decimals are plenty for seconds and milliseconds alike. */
export const round = (x: number): number => Math.round(x * 1e6) / 1e6;

/** "1.234 (1.100–1.500)" in the given unit's precision. */
export function fmt(s: Stat | null | undefined, digits = 3): string {
  if (!s) return "–";
  if (s.n === 1) return s.median.toFixed(digits);
  return `${s.median.toFixed(digits)} (${s.min.toFixed(digits)}–${s.max.toFixed(digits)})`;
}
