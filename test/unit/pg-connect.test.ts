// The probe's TLS trust: one secure context per CA bundle, built once (it cost every connection about 5 ms of CPU
// to parse the roots again), and a different bundle gets its own — never another bundle's trust.
import assert from "node:assert/strict";
import { test } from "node:test";
import { secureContextFor } from "../../src/probe/pg-connect";
import { validPem } from "./test-certs";

test("one secure context per CA bundle: the same bundle gets the same context, another bundle its own", async () => {
  const a = await validPem("Bundle A Root");
  const b = await validPem("Bundle B Root");
  assert.equal(secureContextFor([a]), secureContextFor([a]));
  assert.equal(secureContextFor([a]), secureContextFor([`${a}`]), "keyed by content, not by the array");
  assert.notEqual(secureContextFor([a]), secureContextFor([b]));
  assert.notEqual(secureContextFor([a]), secureContextFor([a, b]));
});
