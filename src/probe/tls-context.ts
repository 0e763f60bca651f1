// One TLS secure context per CA bundle: building one parses every certificate of the bundle (OpenSSL work on
// each connection otherwise). tls.connect takes `secureContext` in place of `ca`, and still verifies the chain
// (rejectUnauthorized) and the name (checkServerIdentity) per connection, so verify-ca/verify-full are unchanged.
import { createSecureContext, type SecureContext } from "node:tls";

const contexts = new Map<string, SecureContext>();

/** The secure context trusting exactly `ca` (built on first use, then shared). */
export function secureContextFor(ca: readonly string[]): SecureContext {
  const key = ca.join("\n");
  let context = contexts.get(key);
  if (!context) {
    context = createSecureContext({ ca: [...ca] });
    contexts.set(key, context);
  }
  return context;
}

/** How many contexts were built so far (one per distinct bundle): for tests and the bench. */
export function secureContextsBuilt(): number {
  return contexts.size;
}
