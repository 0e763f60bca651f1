// A replication-lag sparkline from GET /api/pairs' lag.recent samples: bytes behind over the samples,
// gaps where a sample could not measure (the primary or the replica did not answer).
import { svg } from "./dom.js";
import { bytes, clock } from "./format.js";

const W = 160;
const H = 36;
const PAD = 3;

export function sparkline(samples) {
  const values = samples.map((s) => (typeof s.bytes === "number" ? s.bytes : null));
  const known = values.filter((v) => v !== null);
  const max = Math.max(1, ...known);
  const x = (i) => PAD + (values.length <= 1 ? (W - 2 * PAD) / 2 : (i * (W - 2 * PAD)) / (values.length - 1));
  const y = (v) => H - PAD - (v / max) * (H - 2 * PAD);
  // One polyline per run of measured samples.
  const runs = [];
  let current = [];
  values.forEach((v, i) => {
    if (v === null) {
      if (current.length) runs.push(current);
      current = [];
    } else current.push(`${x(i).toFixed(1)},${y(v).toFixed(1)}`);
  });
  if (current.length) runs.push(current);
  const lastIndex = values.findLastIndex((v) => v !== null);
  const latest = samples.at(-1);
  const label = samples.length
    ? `Replication lag over the last ${samples.length} samples (${clock(samples[0].at)} to ${clock(latest.at)}): ` +
      (known.length
        ? `from ${bytes(Math.min(...known))} to ${bytes(Math.max(...known))}, latest ${bytes(latest.bytes)}`
        : "not measured")
    : "No lag samples yet";
  return svg(
    "svg",
    { class: "sparkline", viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: "img", "aria-label": label },
    svg("title", {}, label),
    svg("line", { class: "baseline", x1: PAD, x2: W - PAD, y1: H - PAD, y2: H - PAD }),
    runs.map((points) =>
      points.length === 1
        ? svg("circle", { class: "line", cx: points[0].split(",")[0], cy: points[0].split(",")[1], r: 1.5 })
        : svg("polyline", { class: "line", points: points.join(" ") }),
    ),
    lastIndex >= 0 ? svg("circle", { class: "last", cx: x(lastIndex), cy: y(values[lastIndex]), r: 2.5 }) : null,
  );
}
