// The bench counts the app's PostgreSQL connections per failover from the servers' logs (log_connections): the
// "connection authorized" lines of the probe's role and application_name, nothing else.
import assert from "node:assert/strict";
import { test } from "node:test";
import { countLogins } from "../../local/lab/lab-api";

const LOG = [
  "2026-12-04 23:58:01.100 UTC [101] LOG:  connection received: host=127.0.0.1 port=50000",
  "2026-12-04 23:58:01.110 UTC [101] app_checker@postgres LOG:  connection authorized: user=app_checker database=postgres application_name=pgflex-failover SSL enabled (protocol=TLSv1.3, cipher=TLS_AES_256_GCM_SHA384, bits=256)",
  "2026-12-04 23:58:01.200 UTC [102] pgadmin@postgres LOG:  connection authorized: user=pgadmin database=postgres SSL enabled (protocol=TLSv1.3, cipher=TLS_AES_256_GCM_SHA384, bits=256)",
  "2026-12-04 23:58:01.300 UTC [103] app_checker@postgres LOG:  connection authorized: user=app_checker database=postgres application_name=psql",
  "2026-12-04 23:58:01.400 UTC [104] app_checker@postgres LOG:  connection authorized: user=app_checker database=postgres application_name=pgflex-failover",
  "2026-12-04 23:58:01.500 UTC [105] app_checker@postgres LOG:  statement: select 'connection authorized: user=app_checker '",
  "",
].join("\n");

test("counts the logins of a role and application_name, the last field of a line included", () => {
  assert.equal(countLogins(LOG, { user: "app_checker", application: "pgflex-failover" }), 2);
  assert.equal(countLogins(LOG, { user: "app_checker" }), 4 - 1, "every app_checker login, not a statement");
  assert.equal(countLogins(LOG, {}), 4);
  assert.equal(countLogins(LOG, { user: "app" }), 0, "a prefix of another role's name is not that role");
});
