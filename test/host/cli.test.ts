// The CLI without --json: generated keys are printed exactly once, at start-up.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { describe, it } from "node:test";
import { CLI_PATH } from "../../local/host/spawn";
import { FIXTURE_APP, http, removeDir, tempDir } from "./helpers";

describe("cli", () => {
  it("prints generated keys once, then serves with them; SIGTERM stops it cleanly", async () => {
    const data = tempDir("cli");
    const child = spawn(process.execPath, [CLI_PATH, "--app", FIXTURE_APP, "--port", "0", "--data", data], {
      env: { ...process.env, FUNCTIONS_FUNCTION_KEY: "", FUNCTIONS_MASTER_KEY: "" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (c: string) => (out += c));
    const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
    try {
      const deadline = Date.now() + 15000;
      while (!/listening on (http:\/\/127\.0\.0\.1:\d+)/.test(out) && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 20));
      const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)![1]!;
      const m = /generated keys: functionKey=(\S+) masterKey=(\S+)/.exec(out);
      assert.ok(m, out);
      const [, fk, mk] = m;
      assert.equal((await http("GET", `${url}/api/items/3?code=${fk}`)).status, 200);
      assert.equal((await http("GET", `${url}/api/admin-thing?code=${mk}`)).status, 200);
      await http("GET", `${url}/api/hello/again`);
      child.kill("SIGTERM");
      assert.equal(await exited, 0);
      assert.equal(out.split(fk!).length - 1, 1, "function key printed exactly once");
      assert.equal(out.split(mk!).length - 1, 1, "master key printed exactly once");
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
      removeDir(data);
    }
  });
});
