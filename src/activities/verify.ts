// Step 7 (polled by the orchestrator): prove the result the way an application would see it. Resolve the
// CNAME through DNS; once it answers the new target, connect through the CNAME name with verify-ca TLS
// and prove a write that leaves nothing behind. Before any credential is sent, the address the CNAME
// gave must be the promoted server's own, and its certificate must name that server (checked in the
// handshake). Also records that verify-full on the CNAME name fails, as the article explains (the
// certificate never names the CNAME).
import { describeError } from "../domain/describe-error";
import { sameName } from "../domain/names";
import { cnameFqdn } from "../domain/pair-refs";
import { isTlsTrustError, WrongServerError } from "../probe/postgres-probe";
import type { VerifyInput, VerifyResult } from "./contracts";
import type { ActivityDeps } from "./deps";

const ANSWER_SPACING_MS = 200;

export function makeVerify(deps: ActivityDeps) {
  return async (input: VerifyInput): Promise<VerifyResult> => {
    const pair = await deps.pair(input.pair);
    const name = cnameFqdn(pair);
    // N answers in a row for the new target (a resolver with several servers may answer differently).
    let resolution = await deps.probe.resolve(name);
    for (let inARow = 0; ;) {
      if (!sameName(resolution.chain[0], input.expectedTarget)) {
        return { kind: "dnsNotYet", answer: resolution.chain[0] ?? null, ttl: resolution.ttl, inARow };
      }
      if (++inARow >= input.answers) break;
      await new Promise((r) => setTimeout(r, ANSWER_SPACING_MS));
      resolution = await deps.probe.resolve(name);
    }
    const identity = input.server.fqdn ?? input.server.aRecordFqdn;
    const own = await deps.probe.resolve(identity);
    const login = deps.login(pair);
    let facts;
    try {
      // A new session, never a kept one: this proves DNS, TLS and the login through the CNAME as an app meets them.
      facts = await deps.probe.inspect(name, login, "verify-ca", {
        fresh: true,
        write: true,
        expectName: identity,
        expectAddresses: own.addresses,
      });
    } catch (e) {
      if (e instanceof WrongServerError) {
        return {
          kind: "refused",
          code: "WrongServer",
          reason: `${e.message} (${identity}'s own address); not logging in there`,
        };
      }
      if (isTlsTrustError(e)) {
        const code = (e as { code?: string }).code === "ERR_TLS_CERT_ALTNAME_INVALID" ? "WrongServer" : "TlsUntrusted";
        const why =
          code === "WrongServer"
            ? `the server behind ${name} presented a certificate that does not name ${identity}`
            : `the server's certificate does not chain to the configured CA bundle`;
        return {
          kind: "refused",
          code,
          reason: `verify-ca through ${name} failed before login: ${describeError(e)}; ${why}`,
        };
      }
      throw e;
    }
    if (facts.inRecovery || facts.transactionReadOnly !== "off" || !facts.wroteAndRolledBack) {
      return {
        kind: "refused",
        code: "NotWritable",
        reason: `${name} (${facts.address}) is not writable: in recovery ${facts.inRecovery}, transaction_read_only ${facts.transactionReadOnly}`,
        address: facts.address,
      };
    }
    let verifyFull: { ok: boolean; error?: string };
    try {
      await deps.probe.inspect(name, login, "verify-full", { fresh: true });
      verifyFull = { ok: true };
    } catch (e) {
      verifyFull = { ok: false, error: describeError(e) };
    }
    return {
      kind: "verified",
      name,
      cnameChain: resolution.chain,
      address: facts.address,
      tls: facts.tls,
      inRecovery: false,
      transactionReadOnly: "off",
      wroteAndRolledBack: true,
      serverVersion: facts.serverVersion,
      verifyFull,
      dnsAnswers: input.answers,
    };
  };
}
