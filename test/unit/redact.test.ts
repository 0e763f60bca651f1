import assert from "node:assert/strict";
import { test } from "node:test";
import { redact } from "../../src/audit/redact";

test("secret-looking keys and embedded secrets never reach the audit", () => {
  const out = JSON.stringify(
    redact({
      password: "hunter2",
      nested: { PGFLEX_STATIC_TOKEN: "tok", accessToken: "tok2", etag: "keep-me" },
      url: "https://x/api?code=FUNCKEY&x=1",
      header: "Bearer eyJabc.def",
      cs: "DefaultEndpointsProtocol=http;AccountName=a;AccountKey=SECRETKEY==;",
    }),
  );
  for (const secret of ["hunter2", "tok", "FUNCKEY", "eyJabc", "SECRETKEY"])
    assert.ok(!out.includes(secret), `${secret} leaked: ${out}`);
  assert.ok(out.includes("keep-me"));
});
