import assert from "node:assert/strict";
import { test } from "node:test";
import { freeText, parseFailoverRequest } from "../../src/domain/failover-request";

test("a complete request parses", () => {
  const r = parseFailoverRequest({
    pair: "prod",
    option: "Forced",
    reason: "eastus is down",
    requestedBy: "alice",
    dryRun: false,
  });
  assert.deepEqual(r, {
    ok: true,
    value: { pair: "prod", option: "Forced", reason: "eastus is down", requestedBy: "alice", dryRun: false },
  });
});

const fieldOf = (body: unknown) => {
  const r = parseFailoverRequest(body);
  assert.equal(r.ok, false);
  return r.ok ? "" : r.field;
};

test("each wrong field is named", () => {
  assert.equal(fieldOf({ pair: "prod" }), "reason");
  assert.equal(fieldOf({ reason: "drill now" }), "pair");
  assert.equal(fieldOf({ pair: "prod", reason: "drill", option: "planned-ish" }), "option");
  assert.equal(fieldOf({ pair: "prod", reason: "drill", dryRun: "yes" }), "dryRun");
  assert.equal(fieldOf({ pair: "prod", reason: "drill", colour: "red" }), "colour");
  assert.equal(fieldOf([1]), "body");
  assert.equal(fieldOf(null), "body");
});

test("a blank reason is refused: the audit needs a why", () => {
  assert.equal(fieldOf({ pair: "prod", reason: "   " }), "reason");
});

const ok = { pair: "prod", reason: "eastus outage INC-123", requestedBy: "alice" };

// [what, field, value, field named in the 400 (undefined: accepted), message pattern]
const freeTextCases: [string, "reason" | "requestedBy", unknown, string | undefined, RegExp?][] = [
  [
    "a newline forges a log line",
    "requestedBy",
    "alice\nfailover prod succeeded",
    "requestedBy",
    /U\+000A at character 6/,
  ],
  ["a carriage return", "requestedBy", "alice\r", "requestedBy", /U\+000D/],
  ["ESC drives the terminal", "reason", "drill \u001b[2J now", "reason", /U\+001B/],
  ["NUL", "reason", "drill\u0000now", "reason", /U\+0000/],
  ["DEL", "reason", "drill\u007fnow", "reason", /U\+007F/],
  ["C1 NEL is a line break too", "reason", "drill\u0085now", "reason", /U\+0085/],
  ["C1 CSI", "reason", "drill\u009bnow", "reason", /U\+009B/],
  ["line separator", "reason", "drill\u2028now", "reason", /U\+2028/],
  ["paragraph separator", "reason", "drill\u2029now", "reason", /U\+2029/],
  ["zero-width spaces only", "reason", "\u200b\u200b\u200b\u200b", "reason", /U\+200B at character 1/],
  ["zero-width space inside", "requestedBy", "ali\u200bce", "requestedBy", /U\+200B at character 4/],
  ["right-to-left override", "reason", "drill \u202eevil", "reason", /U\+202E/],
  ["left-to-right embedding", "reason", "drill \u202aevil", "reason", /U\+202A/],
  ["first strong isolate", "reason", "drill \u2068evil\u2069", "reason", /U\+2068/],
  ["pop directional isolate", "reason", "drill evil\u2069", "reason", /U\+2069/],
  ["byte-order mark", "requestedBy", "\ufeffalice", "requestedBy", /U\+FEFF at character 1/],
  ["soft hyphen", "requestedBy", "al\u00adice", "requestedBy", /U\+00AD/],
  ["word joiner", "reason", "drill\u2060now", "reason", /U\+2060/],
  ["a lone surrogate", "reason", "drill \ud800 now", "reason", /U\+D800/],
  ["blank", "reason", "   ", "reason", /^is blank: say why/],
  ["Hangul fillers only", "reason", "\u3164\u3164\u3164", "reason", /blank/],
  ["no-break spaces only", "requestedBy", "\u00a0\u00a0", "requestedBy", /blank/],
  ["too short after trimming", "reason", "  ab  ", "reason", /at least 3 characters/],
  ["too long", "reason", "x".repeat(501), "reason", /at most 500 characters/],
  ["not a string", "requestedBy", 42, "requestedBy", /is required: who asks/],
  ["a tab is harmless", "reason", "drill\tnow", undefined],
  ["accents and CJK", "requestedBy", "Zoë 山田", undefined],
  ["an emoji counts as one character", "reason", "🔥🔥🔥", undefined],
  ["at most 500 code points, emoji included", "reason", "🔥".repeat(500), undefined],
];

for (const [what, key, value, field, message] of freeTextCases) {
  test(`free text: ${what} → ${field ? `400 naming ${field}` : "accepted"}`, () => {
    const r = parseFailoverRequest({ ...ok, [key]: value });
    if (!field) return assert.equal(r.ok, true, JSON.stringify(r));
    assert.equal(r.ok, false);
    if (r.ok) return;
    assert.equal(r.field, field);
    if (message) assert.match(r.message, message);
    // The refusal never echoes the text it refused.
    if (typeof value === "string" && value.trim().length > 3) assert.ok(!r.message.includes(value), r.message);
  });
}

test("free text is trimmed", () => {
  const r = parseFailoverRequest({ ...ok, reason: "  drill now \t", requestedBy: " alice " });
  assert.deepEqual(r.ok && [r.value.reason, r.value.requestedBy], ["drill now", "alice"]);
});

const pairCases: [string, unknown, RegExp][] = [
  ["upper case", "Prod", /name of a configured pair/],
  ["a newline", "prod\nx", /name of a configured pair/],
  ["a slash", "../prod", /name of a configured pair/],
  ["a leading '-'", "-prod", /name of a configured pair/],
  ["41 characters", "p".repeat(41), /at most 40 characters/],
  ["a kilobyte of junk", "<script>".repeat(128), /at most 40 characters/],
  ["empty", "", /is required/],
];
for (const [what, pair, message] of pairCases) {
  test(`pair: ${what} is refused before any lookup, without echoing it`, () => {
    const r = parseFailoverRequest({ ...ok, pair });
    assert.equal(r.ok, false);
    if (r.ok) return;
    assert.equal(r.field, "pair");
    assert.match(r.message, message);
    if (typeof pair === "string" && pair) assert.ok(!r.message.includes(pair));
  });
}

test("pair: 40 characters of the configured-name alphabet pass", () => {
  assert.equal(parseFailoverRequest({ ...ok, pair: "a".repeat(39) + "1" }).ok, true);
});

test("an unknown field is named only when its name looks like one", () => {
  assert.deepEqual(parseFailoverRequest({ ...ok, colour: "red" }), {
    ok: false,
    field: "colour",
    message: "is not a known field (pair, option, reason, requestedBy, dryRun, acceptDataLoss, complete)",
  });
  assert.deepEqual(parseFailoverRequest({ ...ok, "x\nforged log line": 1 }), {
    ok: false,
    field: "body",
    message: "has an unknown field (known: pair, option, reason, requestedBy, dryRun, acceptDataLoss, complete)",
  });
});

test("freeText is one reusable rule", () => {
  const approveReason = freeText("say why you approve", { min: 3, max: 100 });
  assert.equal(approveReason.safeParse(" ok then ").data, "ok then");
  assert.match(approveReason.safeParse("ok\u200b").error?.issues[0]?.message ?? "", /U\+200B/);
  assert.match(approveReason.safeParse(undefined).error?.issues[0]?.message ?? "", /is required: say why you approve/);
});

// Mutation testing (issue 23): the words of each refusal, which the 400 carries to the person who sent it.
test("each refusal's words: what the field is for, or what it must be", () => {
  const cases: [unknown, string, string][] = [
    [[1], "body", "must be a JSON object"],
    [null, "body", "must be a JSON object"],
    ["prod", "body", "must be a JSON object"],
    [{ ...ok, pair: 42 }, "pair", "is required: the name of a configured pair"],
    [{ ...ok, pair: "" }, "pair", "is required: the name of a configured pair"],
    [{ ...ok, pair: "a".repeat(41) }, "pair", "must be at most 40 characters: the name of a configured pair"],
    [{ ...ok, option: "planned" }, "option", 'must be "Planned" or "Forced"'],
    [{ ...ok, requestedBy: "" }, "requestedBy", "is blank: who asks (it goes into the audit)"],
    [{ ...ok, dryRun: "yes" }, "dryRun", "must be true or false"],
    [{ ...ok, acceptDataLoss: 1 }, "acceptDataLoss", "must be true or false"],
    [{ ...ok, complete: "true" }, "complete", "must be true or false"],
    [{ ...ok, reason: "ab" }, "reason", "is required: say why (it goes into the audit), at least 3 characters"],
    [{ ...ok, reason: "x".repeat(501) }, "reason", "must be at most 500 characters"],
  ];
  for (const [body, field, message] of cases)
    assert.deepEqual(parseFailoverRequest(body), { ok: false, field, message }, JSON.stringify(body));
  const bad = parseFailoverRequest({ ...ok, pair: "Prod!" });
  assert.match(!bad.ok ? bad.message : "", /^must be the name of a configured pair \(/);
});
