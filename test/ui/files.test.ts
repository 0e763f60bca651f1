// The page's files as the build ships them (dist/src/ui, served by the ui function): index.html preloads
// every module and nothing else (a stale entry would be a 404 in the browser's console), and no module
// reaches outside the app (no other origin, nothing inline that the Content-Security-Policy would block).
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { UI_DIR } from "../../src/functions/ui-http";

const files = readdirSync(UI_DIR);
const read = (name: string) => readFileSync(join(UI_DIR, name), "utf8");

test("index.html loads app.js and preloads exactly the other modules", () => {
  const html = read("index.html");
  const preloaded = [...html.matchAll(/<link rel="modulepreload" href="\/api\/ui\/([^"]+)" \/>/g)].map((m) => m[1]);
  const modules = files.filter((f) => f.endsWith(".js") && f !== "app.js");
  assert.deepEqual(preloaded.sort(), modules.sort());
  assert.match(html, /<script type="module" src="\/api\/ui\/app\.js"><\/script>/);
  assert.doesNotMatch(html, /<script>|<style|style="/, "nothing inline");
});

test("the modules import only each other, by relative path, and call only this app", () => {
  for (const f of files.filter((x) => x.endsWith(".js"))) {
    const js = read(f);
    for (const [, spec] of js.matchAll(/from "([^"]+)"/g)) {
      assert.match(spec!, /^\.\/[a-z-]+\.js$/, `${f} imports ${spec}`);
      assert.ok(files.includes(spec!.slice(2)), `${f} imports ${spec}, which is not shipped`);
    }
    // (The SVG namespace is a name, not a place the page goes to.)
    assert.doesNotMatch(js, /https?:\/\/(?!www\.w3\.org\/2000\/svg")|innerHTML|eval\(|new Function/, f);
  }
});
