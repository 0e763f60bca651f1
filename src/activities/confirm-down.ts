// Alert runs, before anything else: is the primary really down? Looked at with the app's own eyes —
// ARM's state and a TLS connection to the server by its own name (verify-full) — several times over a
// short window. One answer is enough to call the alert a false alarm.
import { describeError } from "../domain/describe-error";
import type { ConfirmDownInput, ConfirmDownResult } from "./contracts";
import type { ActivityDeps } from "./deps";

export function makeConfirmDown(deps: ActivityDeps) {
  return async (input: ConfirmDownInput): Promise<ConfirmDownResult> => {
    const pair = deps.pair(input.pair);
    const login = deps.login(pair);
    const evidence: string[] = [];
    const pause = input.tries > 1 ? (input.windowSeconds * 1000) / (input.tries - 1) : 0;
    for (let i = 1; i <= input.tries; i++) {
      const arm = await deps.servers.get(input.server.resourceId).then(
        (s) => `ARM state ${s.state ?? "unknown"}`,
        (e: unknown) => `ARM: ${describeError(e)}`,
      );
      const name = input.server.fqdn ?? input.server.aRecordFqdn;
      try {
        const f = await deps.probe.inspect(name, login, "verify-full");
        evidence.push(`try ${i}: ${arm}; ${name} answered (${f.address}, in recovery ${f.inRecovery})`);
        return { kind: "checked", down: false, evidence };
      } catch (e) {
        evidence.push(`try ${i}: ${arm}; ${name} did not answer: ${describeError(e)}`);
      }
      if (i < input.tries) await new Promise((r) => setTimeout(r, pause));
    }
    return { kind: "checked", down: true, evidence };
  };
}
