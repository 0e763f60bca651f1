// The proof through the CNAME against real servers: the verify activity, as the app builds it, connects
// through the lab's CNAME with verify-ca and must refuse a server there that cannot take a write: one made
// read-only by its server parameter, and a streaming replica (in recovery). A writable primary is verified.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { makeVerify } from "../../src/activities/verify";
import type { VerifyResult } from "../../src/activities/contracts";
import { startLab, type Lab } from "../../local/lab";
import { labDeps, labServerRef } from "./app-deps";
import { clients, waitFor } from "./helpers";
import { LAB_TEST } from "./timeouts";

describe("lab: verify refuses a server behind the CNAME that is not writable", () => {
  let lab: Lab;
  before(async () => {
    lab = await startLab({ azurite: false });
  }, LAB_TEST);
  after(async () => lab?.stop(), LAB_TEST);

  const verify = (key: "primary" | "replica"): Promise<VerifyResult> => {
    const server = labServerRef(lab, key);
    return makeVerify(labDeps(lab))({
      runId: "verify-lab",
      pair: lab.info.pairs[0]!.name,
      expectedTarget: server.aRecordFqdn,
      server,
      answers: 1,
    });
  };
  const newSessionsGet = async (value: string) =>
    waitFor(`new sessions on the primary to get default_transaction_read_only ${value}`, async () => {
      const [row] = await lab.adminQuery<{ ro: string }>(
        "primary",
        "select current_setting('default_transaction_read_only') ro",
      );
      return row?.ro === value ? true : undefined;
    });

  test("the primary behind the CNAME, writable: verified (the control)", LAB_TEST, async () => {
    const r = await verify("primary");
    assert.equal(r.kind, "verified", JSON.stringify(r));
    assert.equal(r.kind === "verified" && r.address, lab.info.servers.primary.address);
  });

  test(
    "the primary behind the CNAME with default_transaction_read_only on (set through ARM): refused NotWritable",
    LAB_TEST,
    async () => {
      // A server parameter set through ARM (Configurations - Put,
      // https://learn.microsoft.com/rest/api/postgresql/flexibleserver/configurations/put); new sessions get it.
      const deps = labDeps(lab);
      const primary = labServerRef(lab, "primary");
      await deps.servers.setParameter(primary.resourceId, "default_transaction_read_only", "on");
      try {
        await newSessionsGet("on");
        const r = await verify("primary");
        assert.equal(r.kind, "refused", JSON.stringify(r));
        assert.equal(r.kind === "refused" && r.code, "NotWritable");
        assert.match(
          r.kind === "refused" ? r.reason : "",
          new RegExp(
            `\\(${lab.info.servers.primary.address}\\) is not writable: in recovery false, transaction_read_only on`,
          ),
        );
      } finally {
        await deps.servers.setParameter(primary.resourceId, "default_transaction_read_only", "off");
        await newSessionsGet("off");
      }
    },
  );

  test("the CNAME repointed to the streaming replica: refused NotWritable (in recovery)", LAB_TEST, async () => {
    const { info } = lab;
    const sdk = clients(lab);
    const cname = info.pairs[0]!.cnameRecord;
    const put = (target: string) =>
      sdk.dns.recordSets.createOrUpdate(info.resourceGroup, info.zone, "CNAME", cname, {
        ttl: 30,
        cnameRecord: { cname: target },
      });
    await put(info.servers.replica.aRecordFqdn);
    try {
      const r = await verify("replica");
      assert.equal(r.kind, "refused", JSON.stringify(r));
      assert.equal(r.kind === "refused" && r.code, "NotWritable");
      assert.match(
        r.kind === "refused" ? r.reason : "",
        new RegExp(`\\(${info.servers.replica.address}\\) is not writable: in recovery true`),
      );
    } finally {
      await put(info.servers.primary.aRecordFqdn);
    }
  });
});
