// NCRONTAB parsing and next occurrences (NCrontab semantics), TimeSpan schedules, %SETTING%
// resolution and when the schedule monitor is off.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CrontabError, parseCron } from "../../local/host/ncrontab";
import { parseSchedule, parseTimeSpanMs, resolveSettings } from "../../local/host/timer-schedule";

const T = (s: string) => Date.parse(s);
const next = (expr: string, after: string) => {
  const n = parseCron(expr).next(T(after));
  return n === null ? null : new Date(n).toISOString();
};

describe("NCRONTAB", () => {
  it("6 fields with seconds; 5 fields mean second 0", () => {
    assert.equal(next("0 */5 * * * *", "2026-03-04T12:03:10Z"), "2026-03-04T12:05:00.000Z");
    assert.equal(next("*/15 * * * *", "2026-03-04T12:03:10Z"), "2026-03-04T12:15:00.000Z");
    assert.equal(next("*/1 * * * * *", "2026-03-04T12:03:10.400Z"), "2026-03-04T12:03:11.000Z");
    assert.equal(next("0 0 * * * *", "2026-12-31T23:30:00Z"), "2027-01-01T00:00:00.000Z");
  });

  it("the next occurrence is strictly after the given time, ignoring its milliseconds", () => {
    assert.equal(next("0 */5 * * * *", "2026-03-04T12:05:00.000Z"), "2026-03-04T12:10:00.000Z");
    assert.equal(next("0 */5 * * * *", "2026-03-04T12:04:59.999Z"), "2026-03-04T12:05:00.000Z");
  });

  it("ranges, reversed ranges, steps, n/step, lists and names (case-insensitive prefixes)", () => {
    assert.equal(next("0 30 9 * * Mon-Fri", "2026-03-06T10:00:00Z"), "2026-03-09T09:30:00.000Z"); // Fri → Mon
    assert.equal(next("0 30 9 * * 5-1", "2026-03-04T10:00:00Z"), "2026-03-05T09:30:00.000Z"); // 1-5: Thu
    assert.deepEqual([...parseCron("10/20 * * * * *").fields.second.values], [10, 30, 50]);
    assert.deepEqual([...parseCron("0 0,30 * * * *").fields.minute.values], [0, 30]);
    assert.deepEqual([...parseCron("0 0 0 1 jan,DEC,Ma *").fields.month.values], [1, 12, 3]);
    assert.deepEqual([...parseCron("0 0 0 * * sun,SAT").fields.dayOfWeek.values], [0, 6]);
    assert.deepEqual([...parseCron("0 0 8-10/2 * * *").fields.hour.values], [8, 10]);
    assert.equal(parseCron("0 0-59 * * * *").fields.minute.full, true);
  });

  it("day of month AND day of week must both match; short months and leap days are skipped", () => {
    assert.equal(next("0 0 0 13 * Fri", "2026-01-01T00:00:00Z"), "2026-02-13T00:00:00.000Z");
    assert.equal(next("0 0 0 31 * *", "2026-04-01T00:00:00Z"), "2026-05-31T00:00:00.000Z");
    assert.equal(next("0 0 0 29 Feb *", "2026-01-01T00:00:00Z"), "2028-02-29T00:00:00.000Z");
    assert.equal(next("0 0 0 30 2 *", "2026-01-01T00:00:00Z"), null, "never");
  });

  it("rejects what NCrontab rejects", () => {
    for (const bad of [
      "* * * *",
      "* * * * * * *",
      "60 * * * * *",
      "0 0 24 * * *",
      "0 0 0 0 * *",
      "0 0 0 * 13 *",
      "0 0 0 * * 7",
      "x * * * * *",
      ",5 * * * * *",
      "1- * * * * *",
      "*/x * * * * *",
      "? * * * * *",
      "0 0 0 * * Funday",
      "0 0 0 L * *",
    ])
      assert.throws(() => parseCron(bad), CrontabError, bad);
  });
});

describe("timer schedules", () => {
  it("resolves %SETTING% references like INameResolver.ResolveWholeString", () => {
    assert.equal(resolveSettings("%S%", { S: "0 * * * * *" }), "0 * * * * *");
    assert.equal(resolveSettings("0 %M% %H% * * *", { M: "5", H: "6" }), "0 5 6 * * *");
    assert.throws(() => resolveSettings("%NOPE%", {}), /'%NOPE%' does not resolve to a value\./);
    assert.throws(() => resolveSettings("0 %M * * * *", {}), /The '%' at position 2 does not have a closing '%'/);
  });

  it("parses TimeSpans as .NET does", () => {
    assert.equal(parseTimeSpanMs("00:00:10"), 10_000);
    assert.equal(parseTimeSpanMs("01:30"), 90 * 60_000);
    assert.equal(parseTimeSpanMs("1.02:03:04"), 26 * 3_600_000 + 3 * 60_000 + 4000);
    assert.equal(parseTimeSpanMs("1:02:03:04"), 26 * 3_600_000 + 3 * 60_000 + 4000);
    assert.equal(parseTimeSpanMs("00:00:01.5"), 1500);
    assert.equal(parseTimeSpanMs("2"), 2 * 86_400_000);
    for (const bad of ["24:00:00", "00:60:00", "00:00:60", "1 minute", ""])
      assert.equal(parseTimeSpanMs(bad), null, bad);
  });

  it("NCRONTAB first, then TimeSpan; otherwise the extension's error", () => {
    const cron = parseSchedule("%S%", { S: "0 */5 * * * *" });
    assert.deepEqual([cron.adjustForDST, cron.describe()], [true, "Cron: '0 */5 * * * *'"]);
    const constant = parseSchedule("00:00:05", {});
    assert.deepEqual([constant.adjustForDST, constant.next(1000)], [false, 6000]);
    assert.throws(
      () => parseSchedule("every minute", {}),
      /The schedule expression 'every minute' was not recognized as a valid cron expression or timespan string\./,
    );
    assert.throws(() => parseSchedule("00:00:00", {}), /must be positive/);
  });

  it("turns the schedule monitor off only for schedules firing more than once a minute", () => {
    const now = T("2026-03-04T12:00:30Z");
    const off = (expr: string) => parseSchedule(expr, {}).disablesMonitor(now);
    assert.equal(off("*/10 * * * * *"), true);
    assert.equal(off("0 * * * * *"), false);
    assert.equal(off("*/10 5 * * * *"), false, "a restricted minute field keeps it on");
    assert.equal(off("* * * * *"), false, "5 fields fire at most once a minute");
    assert.equal(off("00:00:30"), true);
    assert.equal(off("00:01:00"), false);
  });
});
