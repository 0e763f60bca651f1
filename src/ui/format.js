// Numbers and times as an on-call engineer reads them.

export function bytes(n) {
  if (n === null || n === undefined) return "unknown";
  if (n < 1024) return `${n} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let v = n;
  let i = -1;
  do {
    v /= 1024;
    i++;
  } while (v >= 1024 && i < units.length - 1);
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

export function seconds(s) {
  if (s === null || s === undefined || Number.isNaN(s)) return "–";
  if (s < 10) return `${s.toFixed(2)} s`;
  if (s < 120) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  const rest = Math.round(s - m * 60);
  if (m < 120) return `${m} min ${rest} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** Local wall-clock time of an ISO timestamp, with seconds. */
export function clock(iso) {
  if (!iso) return "–";
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso) : d.toLocaleTimeString([], { hour12: false });
}

/** Local date and time. */
export function dateTime(iso) {
  if (!iso) return "–";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return `${d.toLocaleDateString([], { year: "numeric", month: "short", day: "numeric" })} ${clock(iso)}`;
}

/** "in 4 min" / "12 s ago" from now (ms). */
export function relative(iso, now) {
  const diff = (Date.parse(iso) - now) / 1000;
  if (Number.isNaN(diff)) return "";
  const text = seconds(Math.abs(diff)).replace(/\.\d+ s$/, " s");
  return diff >= 0 ? `in ${text}` : `${text} ago`;
}
