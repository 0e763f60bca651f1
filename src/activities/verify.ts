// Step 7 (polled by the orchestrator): prove the result the way an application would see it. Resolve the
// CNAME through DNS; once it answers the new target, connect through the CNAME name with verify-ca TLS,
// check the certificate names the promoted server, and prove a write that leaves nothing behind. Also
// record that verify-full on the CNAME name fails, as the article explains (the certificate never names
// the CNAME).
import { checkServerIdentity } from "node:tls";
import { sameName } from "../domain/names";
import { describeError } from "../domain/describe-error";
import { isTlsTrustError } from "../probe/postgres-probe";
import type { VerifyInput, VerifyResult } from "./contracts";
import { cnameFqdn, type ActivityDeps } from "./deps";

export function makeVerify(deps: ActivityDeps) {
  return async (input: VerifyInput): Promise<VerifyResult> => {
    const pair = deps.pair(input.pair);
    const name = cnameFqdn(pair);
    const resolution = await deps.probe.resolve(name);
    if (!sameName(resolution.chain[0], input.expectedTarget)) {
      return { kind: "dnsNotYet", answer: resolution.chain[0] ?? null, ttl: resolution.ttl };
    }
    const login = deps.login(pair);
    let facts;
    try {
      facts = await deps.probe.inspect(name, login, "verify-ca", { write: true });
    } catch (e) {
      if (isTlsTrustError(e)) {
        return {
          kind: "refused",
          code: "TlsUntrusted",
          reason: `verify-ca through ${name} failed: ${describeError(e)}; the server's certificate does not chain to the configured CA bundle`,
        };
      }
      throw e;
    }
    const identity = input.server.fqdn ?? input.server.aRecordFqdn;
    const mismatch = checkServerIdentity(identity, {
      subject: { CN: "" },
      subjectaltname: facts.tls.subjectAltNames,
    } as never);
    if (mismatch) {
      return {
        kind: "refused",
        code: "WrongServer",
        reason: `${name} reached a server whose certificate does not name ${identity} (${facts.tls.subjectAltNames})`,
        address: facts.address,
      };
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
      await deps.probe.inspect(name, login, "verify-full");
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
    };
  };
}
