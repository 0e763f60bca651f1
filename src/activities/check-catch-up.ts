// Step 5 (planned): has the replica replayed everything the fenced primary wrote? Watched for a short
// window through the replica's own name; the orchestrator calls again until its deadline.
import { describeError } from "../domain/describe-error";
import { lagBytes } from "../domain/lsn";
import type { CatchUpInput, CatchUpResult } from "./contracts";
import type { ActivityDeps } from "./deps";
import { watch } from "./watch";

export function makeCheckCatchUp(deps: ActivityDeps) {
  return async (input: CatchUpInput): Promise<CatchUpResult> => {
    const pair = await deps.pair(input.pair);
    const name = input.server.fqdn ?? input.server.aRecordFqdn;
    const login = deps.login(pair);
    const check = async () => {
      try {
        const w = await deps.probe.walPosition(name, login, "verify-full");
        const behind = w.lsn ? lagBytes(input.lsn, w.lsn) : null;
        return { replayLsn: w.lsn, lagBytes: behind, error: undefined };
      } catch (e) {
        return { replayLsn: null, lagBytes: null, error: describeError(e) };
      }
    };
    const last = await watch(check, (r) => r.lagBytes === 0, { seconds: input.watchSeconds });
    const caughtUp = last.lagBytes === 0;
    const detail = last.error
      ? `${name} did not answer: ${last.error}`
      : caughtUp
        ? `${name} replayed up to ${last.replayLsn} (fence at ${input.lsn})`
        : `${name} is ${last.lagBytes} bytes behind the fence at ${input.lsn} (replayed ${last.replayLsn})`;
    return { kind: "checked", caughtUp, replayLsn: last.replayLsn, lagBytes: last.lagBytes, detail };
  };
}
