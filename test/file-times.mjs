// A test reporter for measuring the suite: per test file, the time its top-level tests and suites took (file-level
// before/after hooks are not in it), and how many tests it ran; the slowest first.
// `node test/run.mjs --test-reporter=spec --test-reporter-destination=stdout --test-reporter=./test/file-times.mjs --test-reporter-destination=times.txt`
import { relative } from "node:path";

const root = new URL("../dist/test/", import.meta.url).pathname;

export default async function* fileTimes(source) {
  const files = new Map();
  const entry = (file) => {
    const name = file ? relative(root, file) : "(unknown)";
    if (!files.has(name)) files.set(name, { ms: 0, tests: 0, failed: 0 });
    return files.get(name);
  };
  for await (const { type, data } of source) {
    if (type !== "test:pass" && type !== "test:fail") continue;
    const f = entry(data.file);
    if (data.nesting === 0) f.ms += data.details.duration_ms;
    if (data.details.type !== "suite") {
      f.tests += 1;
      if (type === "test:fail") f.failed += 1;
    }
  }
  const rows = [...files].sort((a, b) => b[1].ms - a[1].ms);
  yield `${"seconds".padStart(8)} ${"tests".padStart(5)} ${"failed".padStart(6)}  file\n`;
  for (const [name, f] of rows)
    yield `${(f.ms / 1000).toFixed(1).padStart(8)} ${String(f.tests).padStart(5)} ${String(f.failed).padStart(6)}  ${name}\n`;
  const total = rows.reduce((s, [, f]) => s + f.ms, 0);
  yield `${(total / 1000).toFixed(1).padStart(8)} ${String(rows.reduce((s, [, f]) => s + f.tests, 0)).padStart(5)}         (sum)\n`;
}
