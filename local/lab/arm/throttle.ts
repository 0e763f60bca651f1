// ARM's subscription throttling: a token bucket per subscription for reads, writes and deletes (Microsoft's
// "Request limits and throttling": buckets of 250 reads refilled at 25/s, 200 writes and 200 deletes at 10/s,
// and a global bucket 15 times the size across principals). Every answer carries what remains
// (x-ms-ratelimit-remaining-subscription-reads|writes|deletes and the -global- ones); an empty bucket is a 429
// with Retry-After and ARM's SubscriptionRequestsThrottled error.
import type { ArmResponse } from "./router";

export interface BucketLimit {
  /** Tokens when full: requests that may arrive at once. */
  bucket: number;
  /** Tokens added per second up to the bucket size. */
  refillPerSecond: number;
}

export type OperationKind = "reads" | "writes" | "deletes";
export type ThrottleLimits = Record<OperationKind, BucketLimit>;
/** true: ARM's limits; an object: those limits replaced (the rest ARM's). */
export type ThrottleSpec = true | Partial<ThrottleLimits>;

export const ARM_LIMITS: ThrottleLimits = {
  reads: { bucket: 250, refillPerSecond: 25 },
  writes: { bucket: 200, refillPerSecond: 10 },
  deletes: { bucket: 200, refillPerSecond: 10 },
};
/** The global subscription limit is this many times a principal's (the lab has one principal). */
const GLOBAL_FACTOR = 15;
const KINDS: readonly OperationKind[] = ["reads", "writes", "deletes"];
const SINGULAR: Record<OperationKind, string> = { reads: "read", writes: "write", deletes: "delete" };

export interface Admission {
  /** Headers for the answer, whatever it is. */
  headers: Record<string, string>;
  /** Set when the request is throttled: send this instead of serving it. */
  reject?: ArmResponse;
}

export interface ThrottleState {
  enabled: boolean;
  limits: ThrottleLimits | null;
  /** Requests throttled since the limits were last set. */
  throttled: number;
}

class Bucket {
  private tokens: number;
  private at: number;
  constructor(
    private readonly limit: BucketLimit,
    now: number,
  ) {
    this.tokens = limit.bucket;
    this.at = now;
  }
  private refill(now: number): void {
    this.tokens = Math.min(this.limit.bucket, this.tokens + ((now - this.at) / 1000) * this.limit.refillPerSecond);
    this.at = now;
  }
  /** Available tokens (whole), after refilling. */
  remaining(now: number): number {
    this.refill(now);
    return Math.floor(this.tokens);
  }
  take(now: number): void {
    this.refill(now);
    this.tokens -= 1;
  }
  /** Whole seconds until one token is there (at least 1, as ARM never says 0 in a 429). */
  secondsUntilToken(now: number): number {
    this.refill(now);
    return Math.max(1, Math.ceil((1 - this.tokens) / this.limit.refillPerSecond));
  }
}

export class ArmThrottle {
  private limits: ThrottleLimits | null = null;
  private buckets = new Map<string, Bucket>();
  private throttled = 0;

  constructor(
    spec: ThrottleSpec | false | undefined,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.set(spec);
  }

  /** Turn throttling on with these limits (full buckets), or off with false. */
  set(spec: ThrottleSpec | false | undefined): void {
    this.limits = spec ? resolveLimits(spec) : null;
    this.buckets.clear();
    this.throttled = 0;
  }

  state(): ThrottleState {
    return {
      enabled: this.limits !== null,
      limits: this.limits && structuredClone(this.limits),
      throttled: this.throttled,
    };
  }

  /** Counts one request against its subscription's buckets. */
  admit(method: string, path: string): Admission {
    const limits = this.limits;
    if (!limits) return { headers: {} };
    const kind = operationKind(method);
    const scope = subscriptionOf(path);
    const now = this.now();
    const own = this.bucket(`${scope}|${kind}`, limits[kind], now);
    const global = this.bucket(`${scope}|${kind}|global`, scaled(limits[kind]), now);
    const empty = [own, global].find((b) => b.remaining(now) < 1);
    if (empty) {
      this.throttled++;
      const seconds = empty.secondsUntilToken(now);
      return {
        headers: this.remainingHeaders(kind, own, global, now),
        reject: {
          status: 429,
          headers: { "Retry-After": String(seconds) },
          body: {
            error: {
              code: "SubscriptionRequestsThrottled",
              message:
                `Number of '${SINGULAR[kind]}' requests for subscription '${scope}' actor 'lab' exceeded. ` +
                `Please try again after '${seconds}' seconds after additional tokens are available. ` +
                "Refer to https://aka.ms/arm-throttling for additional information.",
            },
          },
        },
      };
    }
    own.take(now);
    global.take(now);
    return { headers: this.remainingHeaders(kind, own, global, now) };
  }

  private bucket(key: string, limit: BucketLimit, now: number): Bucket {
    let b = this.buckets.get(key);
    if (!b) this.buckets.set(key, (b = new Bucket(limit, now)));
    return b;
  }

  private remainingHeaders(kind: OperationKind, own: Bucket, global: Bucket, now: number): Record<string, string> {
    return {
      [`x-ms-ratelimit-remaining-subscription-${kind}`]: String(own.remaining(now)),
      [`x-ms-ratelimit-remaining-subscription-global-${kind}`]: String(global.remaining(now)),
    };
  }
}

/** GET and HEAD read, DELETE deletes, everything else writes (PUT, PATCH, POST actions). */
export function operationKind(method: string): OperationKind {
  const m = method.toUpperCase();
  return m === "GET" || m === "HEAD" ? "reads" : m === "DELETE" ? "deletes" : "writes";
}

function subscriptionOf(path: string): string {
  const [first, id] = path.split("/").filter(Boolean);
  return first?.toLowerCase() === "subscriptions" && id ? id.toLowerCase() : "tenant";
}

function scaled(l: BucketLimit): BucketLimit {
  return { bucket: l.bucket * GLOBAL_FACTOR, refillPerSecond: l.refillPerSecond * GLOBAL_FACTOR };
}

/** Validates a spec (from code or the /_lab/throttle body) into full limits. */
export function resolveLimits(spec: ThrottleSpec): ThrottleLimits {
  if (spec === true) return structuredClone(ARM_LIMITS);
  if (typeof spec !== "object" || spec === null || Array.isArray(spec))
    throw new ThrottleSpecError("the throttle must be true or an object {reads?, writes?, deletes?}");
  for (const key of Object.keys(spec))
    if (!KINDS.includes(key as OperationKind))
      throw new ThrottleSpecError(`unknown operation '${key}' (reads, writes, deletes)`);
  const out = structuredClone(ARM_LIMITS);
  for (const kind of KINDS) {
    const l = spec[kind];
    if (l === undefined) continue;
    const { bucket, refillPerSecond } = (l ?? {}) as Partial<BucketLimit>;
    if (!(typeof bucket === "number" && Number.isInteger(bucket) && bucket >= 1))
      throw new ThrottleSpecError(`${kind}.bucket must be a whole number >= 1`);
    if (!(typeof refillPerSecond === "number" && refillPerSecond > 0))
      throw new ThrottleSpecError(`${kind}.refillPerSecond must be a number > 0`);
    out[kind] = { bucket, refillPerSecond };
  }
  return out;
}

export class ThrottleSpecError extends Error {}
