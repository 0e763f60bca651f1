// Alert runs, before anything else: what the app itself sees of the primary — a TLS connection to the server
// by its own name (verify-full) several times over a short window, ARM's state, and Azure Resource Health.
// It reports facts; the orchestrator decides with confirmVerdict (src/domain/confirm.ts). One answer from
// PostgreSQL, even a refused login, ends the looks: the server is alive.
import { describeError } from "../domain/describe-error";
import { livenessOf } from "../domain/liveness";
import type { ConfirmDownInput, ConfirmDownResult } from "./contracts";
import type { ActivityDeps } from "./deps";

export function makeConfirmDown(deps: ActivityDeps) {
  return async (input: ConfirmDownInput): Promise<ConfirmDownResult> => {
    const pair = await deps.pair(input.pair);
    const login = deps.login(pair);
    const name = input.server.fqdn ?? input.server.aRecordFqdn;
    const tries: Extract<ConfirmDownResult, { kind: "checked" }>["tries"] = [];
    const pause = input.tries > 1 ? (input.windowSeconds * 1000) / (input.tries - 1) : 0;
    for (let i = 1; i <= input.tries; i++) {
      try {
        // A new connection each try, never a kept session: the question is whether the server takes connections.
        const f = await deps.probe.inspect(name, login, "verify-full", { fresh: true });
        tries.push({
          liveness: "alive",
          detail: `try ${i}: ${name} answered (${f.address}, in recovery ${f.inRecovery})`,
        });
      } catch (e) {
        const liveness = livenessOf(e);
        const what =
          liveness === "alive" ? "answered, refusing" : liveness === "down" ? "did not answer" : "could not be asked";
        tries.push({ liveness, detail: `try ${i}: ${name} ${what}: ${describeError(e)}` });
      }
      if (tries.at(-1)!.liveness === "alive" || i === input.tries) break;
      await new Promise((r) => setTimeout(r, pause));
    }
    const [arm, health] = await Promise.all([
      deps.servers.get(input.server.resourceId).then(
        (s) => ({ state: s.state ?? null, detail: `ARM: state ${s.state ?? "unknown"}` }),
        (e: unknown) => ({ state: null, detail: `ARM: ${describeError(e)}` }),
      ),
      deps.health.availability(input.server.resourceId).then(
        (h) => ({
          state: h.state,
          detail: `Resource Health: ${h.state}${h.reasonType ? ` (${h.reasonType})` : ""}${h.summary ? `: ${h.summary}` : ""}`,
        }),
        (e: unknown) => ({ state: null, detail: `Resource Health: ${describeError(e)}` }),
      ),
    ]);
    return { kind: "checked", tries, arm, health };
  };
}
