// The azure profile in the running lab, at 1/100 of its pace: a server parameter change and a promote take
// the seeded draws' time, the replica showing Reconfiguring and then Updating for the drawn spans.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startLab, type Lab } from "../../local/lab";
import { Pace } from "../../local/lab/pace";
import { clients } from "./helpers";
import { LAB_TEST } from "./timeouts";

// Seed 10 draws a promote of 1.6 s and a parameter change of 0.4 s at this scale (the fast profile: 1 s and 0).
const SEED = 10;
const SCALE = 0.01;

describe("lab pace: the azure profile's delays are applied", () => {
  let lab: Lab;
  let sdk: ReturnType<typeof clients>;
  // The lab's draws, replayed from the same seed (one sequence per kind of operation).
  const expected = new Pace({ profile: "azure", seed: SEED, timeScale: SCALE });
  before(async () => {
    lab = await startLab({ profile: "azure", seed: SEED, timeScale: SCALE, azurite: false });
    sdk = clients(lab);
  }, LAB_TEST);
  after(async () => lab?.stop(), LAB_TEST);
  const took = (kind: string) => {
    const op = lab.operations().find((o) => o.kind === kind);
    assert.ok(op?.endTime, `a finished ${kind} operation`);
    return Date.parse(op.endTime) - Date.parse(op.startTime);
  };

  test(
    "a server parameter change is an LRO of 20–40 s (scaled): new sessions see the value only at its end",
    LAB_TEST,
    async () => {
      const want = expected.parameter();
      assert.ok(want >= 200 && want <= 400, `${want} ms`);
      const name = lab.info.servers.primary.name;
      const poller = await sdk.pg.configurations.beginPut(
        lab.info.resourceGroup,
        name,
        "default_transaction_read_only",
        { value: "on", source: "user-override" },
        { updateIntervalInMs: 20 },
      );
      const [during] = await lab.appQuery<{ ro: string }>(
        "primary",
        "select current_setting('transaction_read_only') ro",
      );
      assert.equal(during?.ro, "off", "not applied while the operation runs");
      await poller.pollUntilDone();
      const [done] = await lab.appQuery<{ ro: string }>(
        "primary",
        "select current_setting('transaction_read_only') ro",
      );
      assert.equal(done?.ro, "on");
      const ms = took("configuration");
      assert.ok(ms >= want && ms < want + 3000, `the operation took ${ms} ms, drawn ${want} ms`);
      await sdk.pg.configurations.beginPutAndWait(
        lab.info.resourceGroup,
        name,
        "default_transaction_read_only",
        { value: "off", source: "user-override" },
        { updateIntervalInMs: 20 },
      );
    },
  );

  test("a promote takes 1–3 min (scaled), Reconfiguring for its first 10–60 s, then Updating", LAB_TEST, async () => {
    const want = expected.promote();
    const total = want.reconfiguringMs + want.updatingMs;
    assert.ok(total >= 600 && total <= 1800, `${total} ms`);
    const replica = lab.info.servers.replica.name;
    const rg = lab.info.resourceGroup;
    const t0 = Date.now();
    const poller = await sdk.pg.servers.beginUpdate(
      rg,
      replica,
      { replica: { promoteMode: "Standalone", promoteOption: "Forced" } },
      { updateIntervalInMs: 25 },
    );
    const seen: { at: number; state: string }[] = [];
    while (!poller.isDone()) {
      const s = await sdk.pg.servers.get(rg, replica);
      const state = s.replica?.replicationState ?? `role ${s.replica?.role}`;
      if (seen.at(-1)?.state !== state) seen.push({ at: Date.now() - t0, state });
      await poller.poll();
      await new Promise((r) => setTimeout(r, 25));
    }
    const order = seen.map((s) => s.state);
    assert.deepEqual(order.slice(0, 2), ["Reconfiguring", "Updating"], order.join(" → "));
    const updatingAt = seen.find((s) => s.state === "Updating")!.at;
    assert.ok(updatingAt >= want.reconfiguringMs, `Updating at ${updatingAt} ms, drawn ${want.reconfiguringMs} ms`);
    const ms = took("promote");
    assert.ok(ms >= total && ms < total + 5000, `the promote took ${ms} ms, drawn ${total} ms`);
  });
});
