// Is a server down, or did it answer? Only a network-level failure — refused, reset, unreachable, timed out —
// says "down". Any reply from PostgreSQL proves the server alive, whatever it says: a refused login
// (28P01/28000, a pg_hba reject), too many connections (53300), starting up (57P03). So does a TLS handshake
// it completed, even with a certificate we refuse. What we could not even try (our DNS, our token) says
// nothing either way. Reproduced harm this prevents: a pg_hba line rejecting the probe made an alert fail
// over a healthy primary and left two writable primaries.

export type Liveness = "down" | "alive" | "unknown";

/** Socket errors of a server that is not there (or not reachable): the only evidence of "down". */
const NETWORK_DOWN = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EHOSTDOWN",
  "ENETDOWN",
  "EPIPE",
  "ECONNABORTED",
]);

/** node-postgres' own words for a connection that closed or timed out before PostgreSQL said anything. */
const PG_NO_ANSWER =
  /^(Connection terminated due to connection timeout|Connection terminated unexpectedly|timeout expired)/;

/** TLS failures happen after the server answered the SSL request and sent its certificate. */
const TLS_ANSWERED =
  /^(UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT|UNABLE_TO_GET_ISSUER_CERT(_LOCALLY)?|CERT_HAS_EXPIRED|CERT_NOT_YET_VALID|ERR_TLS_CERT_ALTNAME_INVALID|CERT_SIGNATURE_FAILURE|CERT_UNTRUSTED|ERR_SSL_.*)$/;

export function livenessOf(e: unknown): Liveness {
  const err = (e ?? {}) as { code?: unknown; severity?: unknown; syscall?: unknown; message?: unknown };
  const code = typeof err.code === "string" ? err.code : "";
  const message = typeof err.message === "string" ? err.message : String(e);
  // A PostgreSQL error message: SQLSTATE code and severity came from the server itself.
  if (/^[0-9A-Z]{5}$/.test(code) && typeof err.severity === "string") return "alive";
  if (TLS_ANSWERED.test(code) || /does not support SSL connections/.test(message)) return "alive";
  const syscall = typeof err.syscall === "string" ? err.syscall : "";
  // Our DNS resolver failing (queryA, queryCname, getaddrinfo) says nothing about the server.
  if (syscall.startsWith("query") || syscall === "getaddrinfo") return "unknown";
  if (NETWORK_DOWN.has(code)) return "down";
  if (PG_NO_ANSWER.test(message)) return "down";
  return "unknown";
}
