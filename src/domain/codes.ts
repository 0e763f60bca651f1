// Every code a run can end with (a failover's; an evacuation's and a re-protection's rows name theirs): where it stopped, its outcome, what it means (including what the
// run left behind) and what the operator does next. The one list: docs/operations.md's "Steps and codes" table is
// rendered from it (npm run docs:settings), and a test fails when the code produces a code not listed here.

/** How a run ends. */
export type Outcome = "succeeded" | "refused" | "failed" | "aborted" | "falseAlarm" | "dryRun";

export interface CodeRow {
  /** Where the run stopped (result.failedStep), or the step the row is about. */
  step: string;
  /** The codes (result.code); none for a step that never stops the run. */
  codes: readonly string[];
  /** Shown after the codes ("…", "(or another ARM code)", or what to say when there is none). */
  note: string;
  outcome: Outcome;
  means: string;
  next: string;
}

export const CODES: readonly CodeRow[] = [
  {
    step: "preflight",
    codes: ["CnameTargetUnknown"],
    note: "",
    outcome: "refused",
    means: "The CNAME points at neither server's A record (`aRecord` in the pair). Nothing changed.",
    next: "Look at the record (command below); fix the CNAME or the pair's `servers[].aRecord`; `GET /api/pairs` must show the target.",
  },
  {
    step: "preflight",
    codes: ["TwoWritablePrimaries"],
    note: "",
    outcome: "refused",
    means:
      "The other server is already standalone and accepts writes, and so does the one the CNAME serves. Nothing changed.",
    next: 'Two writable primaries: find out who promoted it. If it was promoted for a failover (a run that stopped, or by hand), finish with `"complete": true` (it fences the old primary first). If not, fence or remove the stray one by hand.',
  },
  {
    step: "preflight",
    codes: ["IncompleteFailover"],
    note: "",
    outcome: "refused",
    means:
      "The other server is already promoted and writable; the CNAME still serves the old one (fenced or down). Nothing changed.",
    next: 'Finish the failover: `POST /api/failovers` with `"complete": true` (no second promote).',
  },
  {
    step: "preflight",
    codes: ["NothingToComplete"],
    note: "",
    outcome: "refused",
    means: '`"complete": true`, but the other server is not a standalone writable server. Nothing changed.',
    next: "There is nothing to finish; for a failover, request without `complete`.",
  },
  {
    step: "preflight",
    codes: ["NoReplica"],
    note: "",
    outcome: "refused",
    means: "The other server is not a replica (after a failover there is none until you create one). Nothing changed.",
    next: "Re-protect the pair: [failing back](#failing-back) steps 1–4.",
  },
  {
    step: "preflight",
    codes: ["ReplicaOfAnotherServer"],
    note: "",
    outcome: "refused",
    means: "The other server replicates from a server the CNAME does not serve. Nothing changed.",
    next: "Fix the pair's `servers`, or the CNAME, so that they describe this replica and its source.",
  },
  {
    step: "preflight",
    codes: ["ReplicaNotReady"],
    note: "",
    outcome: "refused",
    means: "The replica's ARM state is not `Ready` (stopped, updating, …). Nothing changed.",
    next: "Start it or wait for the operation; then request again.",
  },
  {
    step: "preflight",
    codes: ["PrimaryNotReady"],
    note: "",
    outcome: "refused",
    means: "A planned failover needs the primary `Ready`. Nothing changed.",
    next: 'If its region is down: request `"option": "Forced"`.',
  },
  {
    step: "preflight",
    codes: ["ReplicationNotActive"],
    note: "",
    outcome: "refused",
    means: "A planned failover needs replication `Active`. Nothing changed.",
    next: 'Repair replication, or accept the loss: `"option": "Forced"` (the RPO guard applies).',
  },
  {
    step: "preflight",
    codes: ["ARecordMismatch"],
    note: "",
    outcome: "refused",
    means:
      "The replica's A record in the zone does not lead to the replica (its own name resolves elsewhere). Nothing changed.",
    next: "Fix the A record, or the pair's `aRecord` for that server; repointing to it would send applications elsewhere.",
  },
  {
    step: "preflight",
    codes: ["ReplicaUnreachable"],
    note: "",
    outcome: "refused",
    means:
      "The probe could not reach or log in to the replica by its own name (network, Entra login, TLS). Nothing changed.",
    next: "Check the VNet route and NSGs to the replica on 5432, Entra authentication on the replica and the identity's role there (deploy guide); `GET /api/pairs` shows what its name answered.",
  },
  {
    step: "preflight",
    codes: ["DataLossNotAccepted"],
    note: "",
    outcome: "refused",
    means:
      "Forced: the data at risk (`result.risk`) is above `rpo.maxLagBytes`, or unknown, and the request did not accept it. Nothing changed.",
    next: 'Decide: wait for the primary (or fail over Planned), or request again with `"acceptDataLoss": true` — or, on a pair that needs approval, the approver\'s yes accepts it.',
  },
  {
    step: "preflight",
    codes: ["AuthorizationFailed", "ResourceNotFound"],
    note: "…",
    outcome: "refused",
    means: "ARM refused to read the zone or a server (`result.reason` names the operation). Nothing changed.",
    next: "The identity lacks the custom role on that resource, or the resource id in the pair is wrong: README *The app's Azure role*.",
  },
  {
    step: "preflight",
    codes: ["PreflightFailed"],
    note: "",
    outcome: "failed",
    means: "Transient errors outlasted the retries. Nothing changed.",
    next: "Read the attempts in the timeline; request again.",
  },
  {
    step: "confirm",
    codes: ["NotThePrimary"],
    note: "",
    outcome: "falseAlarm",
    means: "An alert on a server the CNAME does not serve (the replica, or an old primary). Nothing changed.",
    next: "None; after a failover, alerts on the old primary are expected.",
  },
  {
    step: "confirm",
    codes: ["PrimaryAnswers"],
    note: "",
    outcome: "falseAlarm",
    means:
      'The primary answered one of the app\'s looks at its own name: any PostgreSQL reply counts, a refused login or "too many connections" included (only a network-level failure means down). Nothing changed.',
    next: "Check the alert rule; if the primary is really failing for applications, request a failover yourself.",
  },
  {
    step: "confirm",
    codes: ["NotConfirmed"],
    note: "",
    outcome: "falseAlarm",
    means:
      "A look could not tell (the app's own DNS or Entra token failed), so the primary was not confirmed down. Nothing changed.",
    next: "Fix what the evidence names (`result.confirmation.evidence`); request a failover yourself if the primary is really down.",
  },
  {
    step: "confirm",
    codes: ["AzureSaysAvailable"],
    note: "",
    outcome: "falseAlarm",
    means:
      'Under `alerts.policy: "auto"` the primary did not answer, but ARM reports it `Ready` and Resource Health does not say it is unavailable: no automatic promote without Azure\'s word. Nothing changed.',
    next: "Look at the primary and the network path from the app's VNet; if it is really down for applications, request a failover (a person approves it), or use `propose`.",
  },
  {
    step: "confirm",
    codes: ["ConfirmFailed"],
    note: "",
    outcome: "failed",
    means: "The confirmation kept failing. Nothing changed.",
    next: "Look at the primary yourself; request a failover if needed.",
  },
  {
    step: "approval",
    codes: ["ApprovalTimedOut"],
    note: "",
    outcome: "aborted",
    means: "Nobody approved within `approval.timeoutMinutes`. Nothing changed.",
    next: "Request again when an approver is at hand.",
  },
  {
    step: "approval",
    codes: ["Aborted"],
    note: "",
    outcome: "aborted",
    means:
      "An approver or the requester aborted, or — for an alert run that had changed nothing — a person's own request took it over (`result.approval` says who and why). Nothing changed.",
    next: "None.",
  },
  {
    step: "lowerTtl",
    codes: ["ConcurrentChange"],
    note: "",
    outcome: "refused",
    means:
      "The CNAME changed between the read and the write (If-Match): someone else is changing it. TTL restored if it was lowered.",
    next: "Find out who; request again once the record is stable.",
  },
  {
    step: "lowerTtl",
    codes: ["AuthorizationFailed"],
    note: "",
    outcome: "refused",
    means: "The identity may not write the CNAME. CNAME and TTL unchanged.",
    next: "Grant the role on the pair's CNAME record set (README); request again.",
  },
  {
    step: "lowerTtl",
    codes: ["LowerTtlFailed"],
    note: "",
    outcome: "failed",
    means: "Transient errors outlasted the retries. TTL restored.",
    next: "Request again.",
  },
  {
    step: "fence",
    codes: ["FenceFailed"],
    note: "",
    outcome: "failed",
    means:
      "The old primary's fence (`default_transaction_read_only = on`) could not be set, or new sessions did not see it. Fence lifted, CNAME and TTL unchanged: the old primary is writable as before.",
    next: "Check the probe's login and `pg_signal_backend` on the primary, and its server parameters; request again.",
  },
  {
    step: "fence",
    codes: ["AuthorizationFailed"],
    note: "",
    outcome: "refused",
    means: "The identity may not write server parameters. Fence lifted, nothing else changed.",
    next: "Grant the role on the server (README); request again.",
  },
  {
    step: "catchUp",
    codes: ["CatchUpTimedOut"],
    note: "",
    outcome: "failed",
    means:
      "The replica did not replay up to the fenced primary's WAL position within `catchUpDeadlineSeconds`. Fence lifted; nothing promoted.",
    next: "Look at the lag (`GET /api/pairs`); wait for the replica to catch up and request again, raise `catchUpDeadlineSeconds`, or fail over Forced (accepting the lag).",
  },
  {
    step: "catchUp",
    codes: ["CatchUpFailed"],
    note: "",
    outcome: "failed",
    means: "No WAL position after the fence, or the replay checks kept failing. Fence lifted.",
    next: "Request again; the timeline shows the errors.",
  },
  {
    step: "promote",
    codes: ["NotAReplica"],
    note: "",
    outcome: "refused",
    means: "At promote time the target was no longer a replica. Fence lifted; nothing promoted.",
    next: '`GET /api/pairs`: if it was promoted meanwhile, `"complete": true`; otherwise fix the pair.',
  },
  {
    step: "promote",
    codes: ["AuthorizationFailed"],
    note: "(or another ARM code)",
    outcome: "refused",
    means: "ARM rejected the promote request itself. Fence lifted, TTL restored: as before the run.",
    next: "Grant the role on the server (README); request again.",
  },
  {
    step: "promote",
    codes: ["PromoteFailed"],
    note: "",
    outcome: "refused",
    means:
      "ARM accepted the promote, then its operation ended `Failed` (at once or later) while the replica was still in recovery: nothing was promoted. Fence lifted, TTL restored: as before the run. `result.reason` carries Azure's error.",
    next: "Read Azure's error; a planned promote against the fenced primary is in the deploy guide's *first real drill*; request again.",
  },
  {
    step: "promote",
    codes: ["PromoteFailed"],
    note: "",
    outcome: "failed",
    means:
      "The promote request kept failing; **whether ARM accepted it is unknown**. The old primary **stays fenced** (read-only) and the CNAME still points at it: writes fail until you act.",
    next: 'Watch the replica (command below). Once it is standalone and writable: `"complete": true`. If it is still a replica after some minutes: lift the fence by hand (command below, the value in `result.fence.previousValue`) and request again.',
  },
  {
    step: "promote",
    codes: ["PromoteDeadlineExceeded"],
    note: "",
    outcome: "failed",
    means:
      "ARM accepted the promote, but the server was not writable within `promoteDeadlineSeconds`. Old primary **stays fenced**; CNAME unchanged.",
    next: 'The promote may still complete: when the server is writable, `"complete": true`.',
  },
  {
    step: "promote",
    codes: ["PromoteDidNotTakeEffect"],
    note: "",
    outcome: "failed",
    means:
      "ARM accepted the promote, but three checks in a row saw a `Ready` replica replicating `Active`, its operation finished (or unknown) and the server still in recovery. Old primary **stays fenced**.",
    next: 'Check the server\'s activity log. If it becomes standalone later: `"complete": true`; if not: lift the fence by hand and request again.',
  },
  {
    step: "repoint",
    codes: ["ConcurrentChange"],
    note: "",
    outcome: "refused",
    means:
      "Someone else changed the CNAME after preflight; their value is kept. The new primary is promoted and writable, the old one fenced.",
    next: 'Decide where the CNAME must point; if at the new primary, set it by hand or fix it and use `"complete": true`.',
  },
  {
    step: "repoint",
    codes: ["AuthorizationFailed"],
    note: "",
    outcome: "refused",
    means:
      "The identity may not write the CNAME. The new primary is writable; the CNAME still points at the **fenced** old one: writes fail.",
    next: 'Urgent: grant the role on the pair\'s CNAME record set, then `"complete": true` (or repoint by hand, command below).',
  },
  {
    step: "repoint",
    codes: ["RepointFailed"],
    note: "",
    outcome: "failed",
    means: "Transient errors outlasted the retries; CNAME at the fenced old primary.",
    next: 'Urgent: `"complete": true`, or repoint by hand.',
  },
  {
    step: "verify",
    codes: ["DnsNotConverged"],
    note: "",
    outcome: "failed",
    means:
      "The CNAME was moved and the new primary proven writable by its own name, but DNS did not answer the new target `verify.answers` times in a row within `verifyDeadlineSeconds`.",
    next: "Resolve the CNAME from the app's VNet (`dig`, or `GET /api/pairs`); look for another zone or a forwarder answering it, or resolvers holding the old answer. Applications follow when their resolvers do.",
  },
  {
    step: "verify",
    codes: ["WrongServer"],
    note: "",
    outcome: "refused",
    means:
      "Through the CNAME, the address reached or the certificate presented is not the promoted server's. Nothing was logged in to.",
    next: "Do not trust the failover until explained: another record, zone or forwarder answers the name. The new primary is writable; the old one fenced.",
  },
  {
    step: "verify",
    codes: ["TlsUntrusted"],
    note: "",
    outcome: "refused",
    means:
      "The certificate does not chain to the configured CAs (`probe.caFile`, else the Azure PostgreSQL roots in Node's store).",
    next: "Check the server's certificate chain and the CA bundle (root rotation); set `probe.caFile` if needed; verify by hand.",
  },
  {
    step: "verify",
    codes: ["NotWritable"],
    note: "",
    outcome: "refused",
    means: "The right server answered but is in recovery or read-only.",
    next: "Check `default_transaction_read_only` and the promote on that server; fix, then verify by hand.",
  },
  {
    step: "verify",
    codes: ["VerifyFailed"],
    note: "",
    outcome: "failed",
    means: "Transient errors outlasted the retries after the repoint. CNAME at the new primary.",
    next: "Verify by hand (a write through the CNAME with `sslmode=verify-ca`).",
  },
  {
    step: "fence (forced, after verify)",
    codes: [],
    note: "— (never stops the run)",
    outcome: "succeeded",
    means:
      '`result.fence.state`: `fenced`; `fencedByArm` — its data plane could not be reached, so new sessions were made read-only through ARM (no login needed) and the fence watch ends its sessions when it answers; or `watching` — the old primary did not answer and is fenced by the fence watch (every 5 s) when it returns, until `watchUntil`. A warning says "not fenced" or "only partly fenced" until then.',
    next: "Nothing, unless the warning says no watch was recorded: then fence it by hand when it returns (command below).",
  },
  {
    step: "restoreTtl",
    codes: [],
    note: "— (never stops the run)",
    outcome: "succeeded",
    means: "A warning says the TTL could not be restored.",
    next: "Set it by hand (command below).",
  },
  {
    step: "any",
    codes: ["InternalError"],
    note: "",
    outcome: "failed",
    means:
      "An error that is neither a refusal nor a retried failure (a bug). Every undo of the run still ran — fence lifted or kept as the rows above say, TTL restored — the end is audited and the lease released.",
    next: "Report it with the run's timeline; check `GET /api/pairs` before requesting again.",
  },
  {
    step: "evacuation: plan",
    codes: ["PairNotFound"],
    note: "",
    outcome: "refused",
    means: "An evacuation named a pair (`pairs`) that is not configured. No pair was started.",
    next: "Name configured pairs (`GET /api/pairs`), or leave `pairs` out to take every pair whose primary is in the region.",
  },
  {
    step: "evacuation: plan",
    codes: ["NothingToEvacuate"],
    note: "",
    outcome: "refused",
    means:
      "No pair in scope has its current primary in the region (`plan` says where each one is). No pair was started.",
    next: "None, if the region holds no primary; otherwise check the region's name against `GET /api/pairs`.",
  },
  {
    step: "evacuation: plan",
    codes: ["PlanFailed"],
    note: "",
    outcome: "failed",
    means: "Reading the pairs kept failing (ARM or the CNAMEs unreachable from the app). No pair was started.",
    next: "Request again; fail the pairs over one by one (`POST /api/failovers`) if reads keep failing.",
  },
  {
    step: "evacuation: approval",
    codes: ["ApprovalTimedOut", "Aborted"],
    note: "",
    outcome: "aborted",
    means: "Nobody approved the evacuation in time, or someone aborted it. No pair was started.",
    next: "Request again when an approver is at hand.",
  },
  {
    step: "evacuation: a pair",
    codes: ["RunFailed"],
    note: "",
    outcome: "failed",
    means:
      "A pair's failover run failed outright (the host lost it, or it was terminated), not with an outcome of its own. The other pairs went on.",
    next: "Open that pair's run (`pairs[].id`) and `GET /api/pairs`; repair as for a run terminated mid-step (below).",
  },
  {
    step: "reprotect: plan",
    codes: ["CnameTargetUnknown", "PrimaryNotWritable"],
    note: "",
    outcome: "refused",
    means: "The CNAME serves neither member, or the server it serves does not accept writes. Nothing changed.",
    next: "Finish the failover first (`GET /api/pairs`, then `complete`), and request again.",
  },
  {
    step: "reprotect: plan",
    codes: ["AlreadyProtected"],
    note: "",
    outcome: "refused",
    means: "The other member is already a replica of the primary. Nothing changed.",
    next: "None: the pair is protected (`GET /api/pairs` shows its readiness).",
  },
  {
    step: "reprotect: plan",
    codes: ["RegionUnknown", "NoNetworkInRegion"],
    note: "",
    outcome: "refused",
    means:
      "ARM no longer has the old server, so its region is unknown (name `region`); or the region asked is not the old server's, whose delegated subnet the replica would use. Nothing changed.",
    next: "Name the region, or re-protect into the old server's region; otherwise create the replica by hand (docs/operations.md, Failing back).",
  },
  {
    step: "reprotect: plan",
    codes: ["InvalidName", "NameTaken"],
    note: "",
    outcome: "refused",
    means:
      "The new server's name is not a valid server name, or a server of that name exists (names are never reused). Nothing changed.",
    next: "Name another server (`name`), or leave it out for a generated one.",
  },
  {
    step: "reprotect: plan",
    codes: ["PlanFailed"],
    note: "",
    outcome: "failed",
    means: "Reading the CNAME or the members kept failing. Nothing changed.",
    next: "Request again.",
  },
  {
    step: "reprotect: approval",
    codes: ["ApprovalTimedOut", "Aborted"],
    note: "",
    outcome: "aborted",
    means: "Nobody approved in time (a delete always needs a second person), or someone aborted. Nothing changed.",
    next: "Request again when an approver is at hand.",
  },
  {
    step: "reprotect: create",
    codes: ["CreateFailed"],
    note: "",
    outcome: "refused",
    means:
      "ARM refused the create, or the create operation ended Failed. `result.replica` names the server if ARM had it; the result's warnings say whether it is left behind.",
    next: "Read the ARM error in the timeline (quota, a name taken in another subscription, the subnet full); delete a server left behind; request again.",
  },
  {
    step: "reprotect: create",
    codes: ["AuthorizationFailed"],
    note: "",
    outcome: "refused",
    means:
      "The identity may not create servers: the optional re-protect role (infra/role-reprotect.json) is not assigned. Nothing changed.",
    next: "Assign the re-protect role on the resource group (docs/deploy.md) and request again, or create the replica by hand.",
  },
  {
    step: "reprotect: replicate",
    codes: ["ReplicaNotReady", "ReplicateFailed"],
    note: "",
    outcome: "failed",
    means:
      "The new replica was not Ready and Active, resolving in the zone, answering the probe and under the lag threshold within `reprotectDeadlineSeconds`; or the checks kept failing. The replica exists and did not join: the result's warnings name it.",
    next: "Look at the server in the portal; delete it, or request again naming it once it replicates.",
  },
  {
    step: "reprotect: join",
    codes: ["JoinFailed", "InvalidMember", "MembershipChanged"],
    note: "",
    outcome: "failed",
    means:
      "The pair's membership could not be written: the new member is not acceptable (another pair's server, outside the pair's resource group, or it would remove the server the CNAME serves), or it kept changing under the run. The replica exists and did not join: the result's warnings name it.",
    next: "Request again naming the replica (`name`), or delete it.",
  },
  {
    step: "reprotect: retire",
    codes: ["RetireFailed"],
    note: "",
    outcome: "failed",
    means: "The old server's stop or delete did not finish in time. The new replica has joined: the pair is protected.",
    next: "Look at the old server; stop or delete it by hand.",
  },
  {
    step: "reprotect: dryRun",
    codes: ["NotProtected", "DryRunFailed"],
    note: "",
    outcome: "failed",
    means:
      "The dry run of the next failover did not plan a promote of the new replica (its code and reason are in `result.nextFailover`). The replica has joined.",
    next: "Read `result.nextFailover`; fix what it names (a lag, a DNS record) and run a dry run (`POST /api/failovers` with `dryRun`).",
  },
  {
    step: "membership: reset",
    codes: ["CnameUnreadable", "PrimaryNotConfigured"],
    note: "",
    outcome: "refused",
    means:
      "Resetting a pair to its configured servers was refused: the CNAME could not be read, or it serves a server that is not among the configured ones (the pair would lose its primary). The stored membership is unchanged.",
    next: "Update `PGFLEX_PAIRS` to the pair's current servers (see `GET /api/pairs`), or keep the stored membership.",
  },
];

/** Every code in the list. */
export const KNOWN_CODES: ReadonlySet<string> = new Set(CODES.flatMap((r) => r.codes));

/** The table docs/operations.md shows (between its codes markers). */
export function renderCodesTable(): string {
  // Stryker disable next-line StringLiteral: no row holds a "|" today; one would show unescaped in the docs check (codes.test.ts)
  const cell = (s: string) => s.replace(/\|/g, "\\|");
  const code = (r: CodeRow) =>
    r.codes.length
      ? [r.codes.map((c) => `\`${c}\``).join(", "), r.note].filter(Boolean).join(r.note === "…" ? ", " : " ")
      : r.note;
  return [
    "| step | code | outcome | means | next |",
    "|---|---|---|---|---|",
    ...CODES.map((r) => `| ${r.step} | ${code(r)} | ${r.outcome} | ${cell(r.means)} | ${cell(r.next)} |`),
  ].join("\n");
}
