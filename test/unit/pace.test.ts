// The lab's pace: the azure profile's delays are Azure's documented or measured ranges, drawn reproducibly from
// a seed; the fast profile and the fixed overrides keep what the tests rely on.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Pace, paceRanges, parseProfile, PROFILES } from "../../local/lab/pace";

const within = (ms: number, r: { min: number; max: number }) => ms >= r.min && ms <= r.max;

test("azure: parameter change 20–40 s, promote 1–3 min with Reconfiguring 10–60 s of it, stop/start 1–5 min", () => {
  const pace = new Pace({ profile: "azure", seed: 7 });
  const { azure } = PROFILES;
  for (let i = 0; i < 200; i++) {
    const p = pace.parameter();
    assert.ok(p >= 20_000 && p <= 40_000, `parameter ${p} ms`);
    const { reconfiguringMs, updatingMs } = pace.promote();
    const total = reconfiguringMs + updatingMs;
    assert.ok(total >= 60_000 && total <= 180_000, `promote ${total} ms`);
    assert.ok(within(reconfiguringMs, azure.reconfiguringMs!) && updatingMs >= 0, `reconfiguring ${reconfiguringMs}`);
    const s = pace.stopStart();
    assert.ok(s >= 60_000 && s <= 300_000, `stop/start ${s} ms`);
  }
});

test("the same seed gives the same delays, whatever other operations are interleaved; another seed others", () => {
  const a = new Pace({ profile: "azure", seed: 42 });
  const b = new Pace({ profile: "azure", seed: 42 });
  const c = new Pace({ profile: "azure", seed: 43 });
  const fromA = [a.parameter(), a.parameter(), a.parameter()];
  b.promote(); // a promote in between draws from its own sequence
  b.stopStart();
  assert.deepEqual([b.parameter(), b.parameter(), b.parameter()], fromA);
  assert.notDeepEqual([c.parameter(), c.parameter(), c.parameter()], fromA);
  // Spread over the range, not stuck at one end.
  const many = Array.from({ length: 100 }, () => a.parameter());
  assert.ok(Math.min(...many) < 25_000 && Math.max(...many) > 35_000, `${Math.min(...many)}–${Math.max(...many)}`);
});

test("fast (the default) is what the lab always did: promote 1 s halved between its states, parameters at once", () => {
  const pace = new Pace();
  assert.deepEqual(pace.promote(), { reconfiguringMs: 500, updatingMs: 500 });
  assert.equal(pace.parameter(), 0);
  assert.equal(pace.stopStart(), 200);
});

test("promoteDelayMs / stopStartDelayMs override either profile; timeScale shrinks every delay", () => {
  assert.deepEqual(new Pace({ profile: "azure", promoteDelayMs: 300 }).promote(), {
    reconfiguringMs: 150,
    updatingMs: 150,
  });
  assert.equal(new Pace({ profile: "azure", stopStartDelayMs: 50 }).stopStart(), 50);
  const scaled = new Pace({ profile: "azure", seed: 3, timeScale: 0.01 });
  const full = new Pace({ profile: "azure", seed: 3 });
  assert.equal(scaled.parameter(), Math.round(full.parameter() * 0.01));
  assert.throws(() => new Pace({ timeScale: 0 }), /timeScale/);
  assert.throws(() => paceRanges({ profile: "slow" as never }), /unknown lab profile 'slow'/);
});

test("--profile / --seed: a wrong value names its flag", () => {
  assert.deepEqual(parseProfile("azure", "9"), { profile: "azure", seed: 9 });
  assert.deepEqual(parseProfile(undefined, undefined), {});
  assert.throws(() => parseProfile("Azure", undefined), /--profile must be fast or azure/);
  assert.throws(() => parseProfile("fast", "-1"), /--seed must be/);
});
