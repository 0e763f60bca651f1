// Would a failover of this pair work now? A score from what the app already sees, each missing item with a
// reason a person can act on. Pure: the facts come from the pair's view (ARM, each server's own name, the lag
// samples, the owed fence, the app's permissions, the last dry run).
//
// Blocking items (ready is false without them): a replica that is Ready and replicating, a fresh lag sample
// under the pair's RPO threshold, the probe's login on both servers, the app's permissions on both servers and
// on the CNAME, no fence owed. Advisory items (they lower the score only): a CNAME TTL within the drain cap and
// a recent successful dry run.

export interface ReadinessServer {
  name: string;
  servesCname: boolean;
  /** ARM's view; undefined when ARM could not be read (`armError`). */
  state?: string;
  role?: string;
  replicationState?: string;
  armError?: string;
  /** The probe's login by the server's own name: true, false (with `loginError`), or not tried (no ARM). */
  loggedIn: boolean | null;
  loginError?: string;
}

export interface ReadinessFacts {
  now: number;
  servers: ReadinessServer[];
  cname: { ttl: number } | { error: string };
  drainCapSeconds: number;
  maxLagBytes: number;
  /** The newest lag sample (lag sampler). */
  lastSample: { at: string; bytes: number | null } | null;
  /** The fence owed to an old primary after a forced failover, if still pending. */
  fenceOwed: { server: string; since: string } | null;
  /** The needed actions missing on each scope (or why they could not be read). */
  permissions: { scope: string; missing: string[]; error?: string }[];
  /** When the last successful dry run ended. */
  lastDryRunAt: string | null;
}

export interface Readiness {
  ready: boolean;
  score: number;
  reasons: string[];
}

/** The sampler runs every minute: two missed ticks and the lag it reports is stale. */
export const MAX_SAMPLE_AGE_SECONDS = 180;
/** A dry run older than this no longer says much about the pair as it is now. */
export const MAX_DRY_RUN_AGE_DAYS = 30;

/** Each item's weight (they sum to 100). */
export const WEIGHTS = {
  replica: 25,
  lag: 15,
  login: 15,
  permissions: 15,
  fence: 10,
  dryRun: 10,
  ttl: 5,
  sampleAge: 5,
} as const;

const REPLICA_ROLES = /replica/i;
const ago = (now: number, at: string) => Math.round((now - Date.parse(at)) / 1000);

export function readiness(f: ReadinessFacts): Readiness {
  let score = 100;
  let ready = true;
  const reasons: string[] = [];
  const lose = (item: keyof typeof WEIGHTS, reason: string, blocking = true) => {
    score -= WEIGHTS[item];
    if (blocking) ready = false;
    reasons.push(reason);
  };

  // A replica to promote.
  // Stryker disable next-line StringLiteral: no role is no replica role, whatever stands in for it
  const replicas = f.servers.filter((s) => REPLICA_ROLES.test(s.role ?? ""));
  const unread = f.servers.filter((s) => s.armError);
  const replica = replicas[0];
  if (!replica) {
    lose(
      "replica",
      unread.length
        ? `ARM could not be read for ${unread.map((s) => `${s.name} (${s.armError})`).join(", ")}: no replica is known`
        : "no replica: a failover has nothing to promote; re-protect the pair (create a replica of the primary)",
    );
  } else if (replica.state !== "Ready") {
    lose("replica", `the replica ${replica.name} is ${replica.state ?? "in an unknown state"}, not Ready`);
  } else if (replica.replicationState?.toLowerCase() !== "active") {
    lose(
      "replica",
      `the replica ${replica.name} replicates ${replica.replicationState ?? "in an unknown state"}, not Active`,
    );
  }

  // The lag, and how old its measure is.
  const sample = f.lastSample;
  if (!sample) {
    lose("lag", "no lag sample yet: the lag sampler has not measured this pair");
  } else if (sample.bytes === null) {
    lose("lag", `the last lag sample (${sample.at}) could not measure the lag: one of the servers did not answer`);
  } else if (sample.bytes > f.maxLagBytes) {
    lose(
      "lag",
      `the replica is ${sample.bytes} bytes behind, above the pair's rpo.maxLagBytes (${f.maxLagBytes}): ` +
        `a forced failover would lose them; find what slows the replay (long queries on the replica, network)`,
    );
  }
  if (sample && ago(f.now, sample.at) > MAX_SAMPLE_AGE_SECONDS) {
    lose(
      "sampleAge",
      `the last lag sample is ${ago(f.now, sample.at)} s old (at most ${MAX_SAMPLE_AGE_SECONDS} s): is the lag-sampler timer running?`,
    );
  }

  // The probe logs in on both servers.
  const noLogin = f.servers.filter((s) => s.loggedIn !== true);
  if (noLogin.length) {
    lose(
      "login",
      `the probe cannot log in to ${noLogin
        .map((s) => `${s.name} (${s.loginError ?? "its name is unknown: ARM could not be read"})`)
        .join(", ")}: check the server, the network path and the probe's role`,
    );
  }

  // The app's role on both servers and on the CNAME.
  const short = f.permissions.filter((p) => p.error || p.missing.length);
  if (short.length) {
    lose(
      "permissions",
      short
        .map((p) =>
          p.error
            ? `the app's permissions on ${p.scope} cannot be read (${p.error})`
            : `the app's identity lacks ${p.missing.join(", ")} on ${p.scope}`,
        )
        .join("; ") + ": assign the app's role (infra/role.json) there",
    );
  }

  // No fence owed.
  if (f.fenceOwed) {
    lose(
      "fence",
      `the old primary ${f.fenceOwed.server} is not fenced since ${f.fenceOwed.since}: it may take writes if it returns; fence or stop it`,
    );
  }

  // Advisory: the TTL and the last dry run.
  if ("error" in f.cname) {
    lose("ttl", `the CNAME cannot be read: ${f.cname.error}`);
  } else if (f.cname.ttl > f.drainCapSeconds) {
    lose(
      "ttl",
      `the CNAME's TTL (${f.cname.ttl} s) is above the drain cap (${f.drainCapSeconds} s): clients may keep the old answer after a repoint; lower it`,
      false,
    );
  }
  if (!f.lastDryRunAt) {
    lose("dryRun", "no successful dry run on record: run one (POST /api/failovers with dryRun: true)", false);
  } else {
    const days = (f.now - Date.parse(f.lastDryRunAt)) / 86_400_000;
    if (days > MAX_DRY_RUN_AGE_DAYS)
      lose(
        "dryRun",
        `the last successful dry run is ${Math.floor(days)} days old (at most ${MAX_DRY_RUN_AGE_DAYS}): run one`,
        false,
      );
  }
  return { ready, score: Math.max(0, score), reasons };
}
