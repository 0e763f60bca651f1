// The lab dir is readable by the server user (and so by everyone): files holding a secret must not be.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { startLab, type Lab } from "../../local/lab";
import { accessProblem } from "../../local/lab/access";
import { LAB_TEST } from "./timeouts";

/** Some other local user: not the lab's, not the server user. */
const other = { uid: 54321, gid: 54321 };

/** Files under dir that other can reach, with their text (directories other cannot search protect their content). */
function reachableFiles(dir: string): string[] {
  if (accessProblem(dir, other, "x")) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return reachableFiles(p);
    return e.isFile() ? [p] : [];
  });
}

describe("lab secrets on disk", () => {
  let lab: Lab;
  before(async () => {
    lab = await startLab({ azurite: false });
  }, LAB_TEST);
  after(async () => lab?.stop(), LAB_TEST);

  test(
    "no file in the lab dir that holds a password or the ARM token is readable by another user; the settings file is 0600",
    LAB_TEST,
    () => {
      const { info } = lab;
      const { admin, app, writer } = info.postgres;
      const secrets = [admin.password, app.password, writer.password, info.arm.token];
      const withSecret = reachableFiles(info.dir).filter((f) => {
        const text = fs.readFileSync(f, "utf8");
        return secrets.some((s) => text.includes(s));
      });
      assert.ok(withSecret.includes(info.settingsFile), "the settings file holds the probe password and the token");
      for (const f of withSecret)
        assert.ok(accessProblem(f, other, "r"), `${f} holds a secret and is readable by others`);
      assert.equal(fs.statSync(info.settingsFile).mode & 0o777, 0o600);
    },
  );
});
