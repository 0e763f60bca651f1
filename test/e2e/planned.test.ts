// A planned failover end to end on the real lab, with the checks around it that on-call engineers rely
// on: bad requests start nothing, a dry run changes nothing, one failover per pair at a time, no data
// lost, and a second failover is refused once no replica is left.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  auditSteps,
  cnameRecord,
  dnsClient,
  failover,
  follow,
  inRecovery,
  resolveCname,
  roles,
  start,
  type Stack,
} from "./helpers";

let stack: Stack;
before(async () => {
  stack = await start();
});
after(async () => {
  await stack?.stop();
});

test("who may ask: a function key alone, a principal without the role, a forged principal header — none starts anything", async () => {
  const body = { pair: "lab", reason: "not allowed" };
  const keyOnly = await stack.api.as({ functionKey: stack.host.functionKey }).post("/api/failovers", body);
  assert.equal(keyOnly.status, 401, "a function key alone is not an identity");
  const pairsByKey = await stack.api.as({ functionKey: stack.host.functionKey }).get("/api/pairs");
  assert.equal(pairsByKey.status, 401, "nor does it read the topology");
  const reader = await stack.as("carol", ["Failover.Read"]);
  const noRole = await reader.post<{ error: { code: string; role: string; message: string } }>("/api/failovers", body);
  assert.deepEqual(
    [noRole.status, noRole.body.error.code, noRole.body.error.role],
    [403, "MissingRole", "Failover.Request"],
  );
  assert.match(noRole.body.error.message, /Carol does not have the app role Failover.Request/);
  assert.equal((await reader.get("/api/pairs")).status, 200, "the reader may read");
  // A caller's own X-MS-CLIENT-PRINCIPAL claiming every role is stripped: with carol's token she is still carol.
  const forged = Buffer.from(
    JSON.stringify({
      auth_typ: "aad",
      claims: [
        { typ: "oid", val: "x" },
        { typ: "roles", val: "Failover.Request" },
      ],
    }),
  ).toString("base64");
  const asForged = await fetch(new URL("/api/failovers", stack.host.url), {
    method: "POST",
    headers: {
      "content-type": "application/json",
      authorization: `Bearer ${reader.caller.token}`,
      "x-ms-client-principal": forged,
    },
    body: JSON.stringify(body),
  });
  assert.equal(asForged.status, 403);
  const anonymousForged = await fetch(new URL("/api/failovers", stack.host.url), {
    method: "POST",
    headers: { "content-type": "application/json", "x-ms-client-principal": forged },
    body: JSON.stringify(body),
  });
  assert.equal(anonymousForged.status, 401);
  assert.equal(stack.lab.requests().filter((r) => r.method !== "GET").length, 0, "no ARM write happened");
});

test("bad requests get 4xx naming the problem and start nothing", async () => {
  const noReason = await stack.api.post<{ error: { field: string } }>("/api/failovers", { pair: "lab" });
  assert.equal(noReason.status, 400);
  assert.equal(noReason.body.error.field, "reason");
  const badOption = await stack.api.post<{ error: { field: string } }>("/api/failovers", {
    pair: "lab",
    reason: "drill",
    option: "Sideways",
  });
  assert.equal(badOption.status, 400);
  assert.equal(badOption.body.error.field, "option");
  const notJson = await stack.api.post<{ error: { field: string } }>("/api/failovers", "{not json");
  assert.equal(notJson.status, 400);
  assert.equal(notJson.body.error.field, "body");
  const unknown = await stack.api.post<{ error: { code: string } }>("/api/failovers", {
    pair: "nope",
    reason: "drill",
  });
  assert.equal(unknown.status, 404);
  assert.equal(unknown.body.error.code, "PairNotFound");
  // A form on another site can send text/plain with a JSON-looking body (and a browser's session cookie):
  // only application/json is read.
  const asForm = await fetch(new URL("/api/failovers", stack.host.url), {
    method: "POST",
    headers: { "content-type": "text/plain", authorization: `Bearer ${stack.api.caller.token}` },
    body: JSON.stringify({ pair: "lab", reason: "forged by a form" }),
  });
  assert.equal(asForm.status, 415);
  const selfApproving = await stack.api.post<{ error: { field: string } }>("/api/failovers", {
    pair: "lab",
    reason: "drill",
    approved: true,
  });
  assert.deepEqual(
    [selfApproving.status, selfApproving.body.error.field],
    [400, "approved"],
    "no request field approves a run",
  );
  assert.equal(stack.lab.requests().filter((r) => r.method === "PATCH").length, 0, "no failover was started");
  assert.equal(stack.lab.requests().filter((r) => r.method !== "GET").length, 0, "no ARM write happened");
});

test("GET /api/pairs shows the live topology", async () => {
  const res = await stack.api.get<{
    pairs: {
      name: string;
      cname: { target: string; ttl: number };
      servers: { name: string; servesCname: boolean; role: string }[];
    }[];
  }>("/api/pairs");
  assert.equal(res.status, 200);
  const [p] = res.body.pairs;
  assert.equal(p!.name, "lab");
  assert.equal(p!.cname.target, stack.lab.info.servers.primary.aRecordFqdn);
  assert.equal(p!.cname.ttl, 3600);
  assert.deepEqual(
    p!.servers.map((s) => [s.name, s.servesCname, s.role]),
    [
      [stack.lab.info.servers.primary.name, true, "Primary"],
      [stack.lab.info.servers.replica.name, false, "GeoAsyncReplica"],
    ],
  );
});

test("a dry run decides and measures, and changes nothing", async () => {
  const before = { cname: cnameRecord(stack), roles: roles(stack) };
  const run = await failover(stack, { dryRun: true });
  assert.equal(run.out.outcome, "dryRun");
  assert.equal(run.out.from, stack.lab.info.servers.primary.name);
  assert.equal(run.out.to, stack.lab.info.servers.replica.name);
  assert.equal(typeof run.out.rpo?.bytes, "number");
  assert.deepEqual({ cname: cnameRecord(stack), roles: roles(stack) }, before);
  assert.equal(await inRecovery(stack, "replica"), true);
});

test("a planned failover moves prod to the promoted replica, loses nothing, restores the TTL; then, with no replica left, a new one is refused", async () => {
  await stack.lab.adminQuery("primary", "create table if not exists drill_rows (id serial primary key, note text)");
  await stack.lab.adminQuery("primary", "insert into drill_rows (note) values ('written just before the failover')");
  // Metadata on the CNAME belongs to whoever set it: every write of the failover keeps it.
  const { info } = stack.lab;
  const client = dnsClient(stack);
  const rs = await client.recordSets.get(info.resourceGroup, info.zone, "CNAME", info.cnameRecord);
  const metadata = { owner: "team-db", ticket: "CHG-42" };
  await client.recordSets.createOrUpdate(
    info.resourceGroup,
    info.zone,
    "CNAME",
    info.cnameRecord,
    { ...rs, metadata },
    { ifMatch: rs.etag },
  );

  // Five requests at once: the pair's lease lets exactly one start; the others get 409 and its URL.
  const answers = await Promise.all(
    [1, 2, 3, 4, 5].map((n) =>
      stack.api.post<{ id: string; statusUri: string; error?: { code: string; statusUri: string } }>("/api/failovers", {
        pair: "lab",
        option: "Planned",
        reason: `concurrent request ${n}`,
        requestedBy: "e2e",
      }),
    ),
  );
  assert.deepEqual(
    answers.map((a) => a.status).sort(),
    [202, 409, 409, 409, 409],
    JSON.stringify(answers.map((a) => a.body)),
  );
  const { id, statusUri } = answers.find((a) => a.status === 202)!.body;
  assert.match(id, /^failover-lab-[0-9a-f-]{36}$/, "each run has its own id");
  for (const a of answers.filter((x) => x.status === 409)) {
    assert.equal(a.body.error!.code, "FailoverInProgress");
    assert.equal(a.body.error!.statusUri, statusUri);
  }
  for (const a of answers) assert.doesNotMatch(JSON.stringify(a.body), /code=/, "no response carries a key");

  const run = await follow(stack, id);
  assert.equal(run.out.outcome, "succeeded", run.out.reason);
  const replica = stack.lab.info.servers.replica;

  // DNS answers the new primary; the CNAME record has its TTL back.
  const answer = await resolveCname(stack);
  assert.equal(answer.target, replica.aRecordFqdn);
  assert.deepEqual(answer.addresses, [replica.address]);
  assert.deepEqual(
    { target: cnameRecord(stack).target, ttl: cnameRecord(stack).ttl },
    { target: replica.aRecordFqdn, ttl: 3600 },
  );

  const after = await client.recordSets.get(info.resourceGroup, info.zone, "CNAME", info.cnameRecord);
  assert.deepEqual(after.metadata, metadata, "the record's metadata survived the TTL changes and the repoint");

  // The promoted server is writable and has the last row; ARM says it is a standalone primary.
  assert.equal(await inRecovery(stack, "replica"), false);
  const rows = await stack.lab.adminQuery<{ note: string }>("replica", "select note from drill_rows");
  assert.deepEqual(
    rows.map((r) => r.note),
    ["written just before the failover"],
  );
  assert.deepEqual(roles(stack).replica, { role: "Primary", state: "Ready", source: null });

  // The verification was made through the CNAME with verify-ca; verify-full fails as the article says.
  // DNS answered the new target three times in a row before the proof; the convergence time is reported.
  assert.equal(run.out.dns?.answers, 3);
  assert.equal(typeof run.out.dns?.convergedSeconds, "number");
  const v = run.out.verification!;
  assert.equal(v.address, replica.address);
  assert.equal(v.wroteAndRolledBack, true);
  assert.equal(v.verifyFull.ok, false);
  assert.match(v.verifyFull.error!, /ERR_TLS_CERT_ALTNAME_INVALID/);

  // The RTO breakdown covers each step; the audit tells the story in order.
  for (const k of ["preflight", "lowerTtl", "drain", "fence", "catchUp", "promote", "repoint", "verify"] as const)
    assert.equal(typeof run.out.rto[k], "number", k);
  assert.ok(run.out.rto.total! > 0);
  assert.deepEqual(auditSteps(run.view), [
    "run:requested",
    "preflight",
    "lowerTtl",
    "fence",
    "catchUp",
    "promote",
    "checkPromotion",
    "repoint",
    "verify",
    "restoreTtl",
    "run:completed",
  ]);
  assert.ok(run.view.timeline.every((e) => e.event !== "failed"));

  // Afterwards the pair has no replica: a new failover is refused with the reason and changes nothing.
  const unchanged = { cname: cnameRecord(stack), roles: roles(stack) };
  const writesBefore = stack.lab.requests().filter((r) => r.method !== "GET").length;
  const again = await failover(stack, { option: "Forced" });
  assert.equal(again.out.outcome, "refused");
  assert.equal(again.out.code, "NoReplica");
  assert.match(again.out.reason!, /not a replica/);
  assert.deepEqual({ cname: cnameRecord(stack), roles: roles(stack) }, unchanged);
  assert.equal(stack.lab.requests().filter((r) => r.method !== "GET").length, writesBefore);
});
