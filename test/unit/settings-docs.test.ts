// The README's configuration reference is generated from src/config (npm run docs:settings): these tests fail
// when the README, the descriptions, the schema or the settings the code reads drift apart.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { BEGIN, END, pairFieldRows, renderSettingsReference } from "../../local/package/settings-reference";
import { pairSchema } from "../../src/config/pair-schema";
import { APP_SETTINGS, EXAMPLE_PAIR } from "../../src/config/reference";
import { loadConfig } from "../../src/config/settings";
import { rawPair } from "./fixtures";

const ROOT = join(__dirname, "..", "..", "..");

test("the README's configuration reference is the one src/config renders (npm run docs:settings)", () => {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const begin = readme.indexOf(BEGIN);
  const end = readme.indexOf(END);
  assert.ok(begin >= 0 && end > begin, `README.md has ${BEGIN} … ${END}`);
  const inReadme = readme.slice(begin + BEGIN.length, end).trim();
  assert.equal(inReadme, renderSettingsReference(), "README.md is stale: run `npm run docs:settings`");
});

test("every app setting the code reads is documented, and every documented one is read", () => {
  const read = new Set<string>();
  const recording = (values: Record<string, string>) =>
    new Proxy(values, {
      get: (target, name) => {
        if (typeof name !== "string") return undefined;
        read.add(name);
        return target[name];
      },
    });
  const pairs = JSON.stringify([rawPair()]);
  const variants: Record<string, string>[] = [
    { PGFLEX_PAIRS: pairs, AzureWebJobsStorage: "UseDevelopmentStorage=true", PROBE_PW: "x" },
    { PGFLEX_PAIRS_FILE: "/nonexistent/pairs.json", AzureWebJobsStorage__tableServiceUri: "https://a.example" },
    { PGFLEX_CREDENTIAL: "staticToken", PGFLEX_STATIC_TOKEN: "t", PGFLEX_ARM_CA_FILE: "/nonexistent/ca.pem" },
  ];
  for (const v of variants) {
    try {
      loadConfig(recording(v));
    } catch {
      /* refusals still read the settings they refuse */
    }
  }
  read.delete("PROBE_PW"); // a pair's probe.passwordSetting: the pair names it
  const documented = APP_SETTINGS.map((s) => s.name).sort();
  assert.deepEqual([...read].sort(), documented);
});

test("every field of a pair has a row, with a description", () => {
  const fields = pairFieldRows().map((r) => r.field.replace(/`/g, ""));
  const leaves = (v: unknown, path: string): string[] =>
    Array.isArray(v)
      ? leaves(v[0], `${path}[]`)
      : v && typeof v === "object"
        ? Object.entries(v).flatMap(([k, x]) => leaves(x, path ? `${path}.${k}` : k))
        : [path];
  const parsed = leaves(pairSchema.parse(EXAMPLE_PAIR), "");
  const password = leaves(pairSchema.parse(rawPair({ probe: { ...rawPair().probe, caFile: "/ca.pem" } })), "");
  for (const f of new Set([...parsed, ...password])) assert.ok(fields.includes(f), `${f} has a row`);
  for (const r of pairFieldRows()) assert.ok(r.meaning.length > 10, `${r.field} says what it is`);
});

test("the example pair is a valid pair: only the fields without a default", () => {
  const r = pairSchema.safeParse(EXAMPLE_PAIR);
  assert.ok(r.success, JSON.stringify(r.error?.issues));
  const required = pairFieldRows()
    .filter((x) => x.default === "required")
    .map((x) => x.field.replace(/`/g, ""));
  assert.deepEqual(required.sort(), [
    "dns.cname",
    "dns.resourceGroup",
    "dns.subscriptionId",
    "dns.zone",
    "name",
    "probe.user",
    "servers",
    "servers[].aRecord",
    "servers[].resourceId",
  ]);
});
