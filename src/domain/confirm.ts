// Is the primary an alert names really down? Decided from what the app saw itself (pure, so every case is a
// unit test): the probe's tries through the server's own name, ARM's state and Azure Resource Health.
import type { Liveness } from "./liveness";

export interface ConfirmFacts {
  /** Each look at the server by its own name, in order (the looks stop at the first answer). */
  tries: { liveness: Liveness; detail: string }[];
  /** ARM's provisioning state of the server (null: ARM could not be read). */
  armState: string | null;
  /** Azure Resource Health's availabilityState (null: it could not be read). */
  health: "Available" | "Unavailable" | "Degraded" | "Unknown" | null;
}

export type ConfirmVerdict =
  | { down: true; summary: string }
  | { down: false; code: "PrimaryAnswers" | "NotConfirmed" | "AzureSaysAvailable"; reason: string };

/**
 * Down means every look failed at the network level. Any answer is a false alarm; a look that could not
 * tell (our DNS, our token) leaves it unconfirmed. An automatic run (no person approves it) also needs Azure
 * to agree: while ARM reports the server Ready, only Resource Health saying it is not Available lets it go on.
 */
export function confirmVerdict(server: string, f: ConfirmFacts, automatic: boolean): ConfirmVerdict {
  const answered = f.tries.find((t) => t.liveness === "alive");
  if (answered) return { down: false, code: "PrimaryAnswers", reason: `${server} answers: ${answered.detail}` };
  const unsure = f.tries.find((t) => t.liveness !== "down");
  if (unsure || f.tries.length === 0)
    return {
      down: false,
      code: "NotConfirmed",
      reason: `could not tell whether ${server} is down: ${unsure?.detail ?? "no look was made"}`,
    };
  const azureSaysDown = f.health === "Unavailable" || f.health === "Degraded";
  if (automatic && f.armState === "Ready" && !azureSaysDown)
    return {
      down: false,
      code: "AzureSaysAvailable",
      reason: `${server} did not answer ${f.tries.length} look(s), but ARM reports it Ready and Resource Health ${f.health ? `says ${f.health}` : "could not be read"}: an automatic failover needs Azure to report it unavailable (a person can still approve one under alerts.policy "propose")`,
    };
  return {
    down: true,
    summary: `${server} is down: ${f.tries.length} look(s), none answered; ARM ${f.armState ?? "unreadable"}, Resource Health ${f.health ?? "unreadable"}`,
  };
}
