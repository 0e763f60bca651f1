// Lab lifecycle: labs in parallel don't collide, Azurite works, stop leaves nothing, a SIGKILLed lab is reaped.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { spawn } from "node:child_process";
import { TableClient } from "@azure/data-tables";
import { startLab, type Lab } from "../../local/lab";
import { alive, labResolver, waitFor } from "./helpers";
import { LAB_TEST } from "./timeouts";

/** Debian's PostgreSQL server binaries when installed (the override path); otherwise the embedded default. */
function otherPgBin(): string | undefined {
  const root = "/usr/lib/postgresql";
  if (!fs.existsSync(root)) return undefined;
  const bin = fs
    .readdirSync(root)
    .map((v) => path.join(root, v, "bin"))
    .find((b) => fs.existsSync(path.join(b, "initdb")) && fs.existsSync(path.join(b, "postgres")));
  return bin;
}

describe("lab lifecycle", () => {
  test(
    "two labs started in parallel get their own ports, dirs, names and data; Azurite and the settings file work; stop leaves no process or file behind",
    LAB_TEST,
    async (t) => {
      const pgBinDir = otherPgBin();
      // allSettled: when one start fails the other must still be stopped, or its servers keep the run alive
      const settled = await Promise.allSettled([startLab({ azurite: true }), startLab({ pgBinDir, azurite: false })]);
      const labs = settled.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
      t.after(() => Promise.allSettled(labs.map((l) => l.stop())));
      for (const r of settled) if (r.status === "rejected") throw r.reason;
      const [a, b] = labs;
      assert.ok(a && b);
      assert.notEqual(a.info.dir, b.info.dir);
      assert.notEqual(a.info.postgres.port, b.info.postgres.port);
      assert.notEqual(a.info.dns.port, b.info.dns.port);
      assert.notEqual(a.info.arm.endpoint, b.info.arm.endpoint);
      assert.notEqual(a.info.arm.token, b.info.arm.token);
      assert.notEqual(a.info.servers.primary.name, b.info.servers.primary.name);
      await a.adminQuery("primary", "insert into lab_writes(note) values ('only in a')");
      const [n] = await b.adminQuery<{ n: string }>("primary", "select count(*)::text n from lab_writes");
      assert.equal(n?.n, "0");
      assert.deepEqual(await labResolver(a).resolve4(a.info.servers.primary.fqdn), ["127.0.0.1"]);
      await assert.rejects(labResolver(a).resolve4(b.info.servers.primary.fqdn), (e: any) => e.code === "EREFUSED");
      if (pgBinDir) {
        const [v] = await b.adminQuery<{ v: string }>("replica", "select current_setting('server_version_num') v");
        assert.ok(Number(v?.v) < 170000, `lab b runs the binaries from ${pgBinDir}`);
      }

      // Azurite's Table service with the exposed connection string (the app's audit journal)
      const table = TableClient.fromConnectionString(a.info.azurite.connectionString, "labaudit", {
        allowInsecureConnection: true,
      });
      await table.createTable();
      await table.createEntity({ partitionKey: "drill", rowKey: "1", step: "promote" });
      assert.equal((await table.getEntity<{ step: string }>("drill", "1")).step, "promote");

      const settings = JSON.parse(fs.readFileSync(a.info.settingsFile, "utf8"));
      assert.equal(settings.IsEncrypted, false);
      assert.equal(typeof settings.Values, "object");
      assert.equal(path.dirname(a.info.settingsFile), a.info.dir);

      const pids = [a, b]
        .flatMap((l) => [...l.pids().postgres, l.pids().azurite, l.pids().reaper])
        .filter((p): p is number => p !== undefined);
      assert.equal(pids.length, 2 + 1 + 1 + (2 + 1)); // a: pg pair, azurite, reaper; b: pg pair, reaper
      assert.ok(pids.every(alive));
      await Promise.all([a.stop(), b.stop()]);
      await waitFor("lab processes to exit", () => pids.every((p) => !alive(p)), 5000);
      assert.equal(fs.existsSync(a.info.dir), false);
      assert.equal(fs.existsSync(b.info.dir), false);
      await a.stop(); // idempotent
    },
  );

  test(
    "a lab process killed with SIGKILL is reaped: its servers and Azurite stop and its directory goes",
    LAB_TEST,
    async (t) => {
      const labModule = path.resolve(__dirname, "../../local/lab/index.js");
      const child = spawn(
        process.execPath,
        [
          "-e",
          `require(${JSON.stringify(labModule)}).startLab({ azurite: true }).then((l) => console.log(JSON.stringify({ pids: l.pids(), dir: l.info.dir })))`,
        ],
        { stdio: ["ignore", "pipe", "inherit"] },
      );
      t.after(() => child.kill("SIGKILL")); // if the test fails early, the reaper cleans up after the child
      const line = await new Promise<string>((resolve, reject) => {
        let out = "";
        child.stdout!.on("data", (c) => {
          out += c;
          if (out.includes("\n")) resolve(out.trim());
        });
        child.once("exit", (code) => reject(new Error(`lab child exited early (${code})`)));
      });
      const { pids, dir } = JSON.parse(line) as {
        pids: { postgres: number[]; azurite: number; reaper: number };
        dir: string;
      };
      const victims = [...pids.postgres, pids.azurite];
      assert.ok(victims.every(alive));
      child.kill("SIGKILL");
      await waitFor(
        "the reaper to clean up after the killed lab",
        () => victims.every((p) => !alive(p)) && !fs.existsSync(dir),
        15_000,
      );
      await waitFor("the reaper to exit", () => !alive(pids.reaper), 5000);
    },
  );

  test("npm run lab --json prints one JSON object and SIGTERM stops everything it started", LAB_TEST, async (t) => {
    const cli = path.resolve(__dirname, "../../local/lab/cli.js");
    const child = spawn(process.execPath, [cli, "--json", "--quiet", "--no-azurite"], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    t.after(() => child.kill("SIGKILL"));
    const line = await new Promise<string>((resolve, reject) => {
      let out = "";
      child.stdout!.on("data", (c) => {
        out += c;
        if (out.includes("\n")) resolve(out.trim());
      });
      child.once("exit", (code) => reject(new Error(`lab cli exited early (${code})`)));
    });
    const info = JSON.parse(line);
    assert.match(info.arm.endpoint, /^https:\/\/127\.0\.0\.1:\d+$/);
    assert.ok(fs.existsSync(info.caFile) && fs.existsSync(info.settingsFile));
    assert.equal(typeof info.postgres.admin.password, "string");
    const victims: number[] = [...info.pids.postgres, info.pids.reaper];
    assert.ok(victims.every(alive));
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    child.kill("SIGTERM");
    assert.equal(await exited, 0);
    await waitFor("lab processes to exit", () => victims.every((p) => !alive(p)), 5000);
    assert.equal(fs.existsSync(info.dir), false);
  });
});

export type { Lab };
