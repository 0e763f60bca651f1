// The fence owed to an old primary after a forced failover: tried on a schedule until it holds or the
// watch expires. It is never applied to a server the CNAME serves again (someone failed back by hand).
import { fenceServer } from "../activities/fencing";
import type { ActivityDeps } from "../activities/deps";
import type { PairConfig } from "../config/pair-schema";
import { describeError } from "../domain/describe-error";
import { sameName } from "../domain/names";
import type { PendingFence } from "../state/pair-state";

export async function watchFences(deps: ActivityDeps, pairs: PairConfig[], now: Date = new Date()): Promise<void> {
  await Promise.all(pairs.map((pair) => watchOne(deps, pair, now)));
}

// The configured pair is enough here (its zone, CNAME and the probe's login): the server fenced is the one the
// forced failover recorded, so a sweep every 5 s adds no membership read.
async function watchOne(deps: ActivityDeps, pair: PairConfig, now: Date): Promise<void> {
  const f = await deps.state.fence(pair.name);
  if (!f || f.state !== "pending") return;
  const audit = (event: "succeeded" | "refused" | "failed", summary: string, detail?: unknown) =>
    deps.journal.append({ runId: f.runId, pair: pair.name, step: "fenceWatch", event, summary, detail });
  if (now.toISOString() > f.until) {
    await deps.state.putFence({ ...f, state: "expired", note: `gave up at ${now.toISOString()}` });
    await audit(
      "failed",
      `${f.server.name} was not fenced: the watch expired at ${f.until}; fence it by hand if it returns`,
    );
    return;
  }
  const next: PendingFence = { ...f, attempts: f.attempts + 1, lastAttemptAt: now.toISOString() };
  try {
    const cname = await deps.dns.getCname(pair.dns);
    if (sameName(cname.target, f.server.aRecordFqdn)) {
      await deps.state.putFence({
        ...next,
        state: "expired",
        note: "the CNAME serves this server again: not fencing it",
      });
      await audit("refused", `${f.server.name} was not fenced: the CNAME points at it again (changed by someone else)`);
      return;
    }
    if (f.action === "stop") {
      const state = await deps.servers.get(f.server.resourceId);
      if (state.state !== "Ready")
        throw new Error(`ARM reports it ${state.state}; waiting for it to be Ready to stop it`);
      await deps.servers.startStop(f.server.resourceId);
      await deps.state.putFence({
        ...next,
        state: "fenced",
        fencedAt: new Date().toISOString(),
        note: "stopped through ARM",
      });
      await audit("succeeded", `${f.server.name} came back and was stopped through ARM`);
      return;
    }
    const fenced = await fenceServer(deps, pair, f.server);
    await deps.state.putFence({
      ...next,
      state: "fenced",
      fencedAt: fenced.confirmedAt,
      note: `${fenced.ended} session(s) ended`,
    });
    await audit(
      "succeeded",
      `${f.server.name} came back and was fenced: new sessions read-only, ${fenced.ended} session(s) ended`,
      fenced,
    );
  } catch (e) {
    // Expected while its region is down: keep the latest reason, audit only changes of state.
    await deps.state.putFence({ ...next, lastError: describeError(e) });
  }
}
