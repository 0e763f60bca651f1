// How long the emulated control plane takes. "fast" (the default) keeps tests quick; "azure" takes as long as
// Microsoft documents or people have measured, drawn at random within each range from a seeded generator so a
// run can be repeated exactly (same seed, same operations in the same order → the same delays).

export type PaceProfile = "fast" | "azure";

/** Milliseconds, both ends included. */
export interface Range {
  min: number;
  max: number;
}

export interface PaceRanges {
  /** A promote LRO before the real promote runs (the replica's replicationState Reconfiguring, then Updating). */
  promoteMs: Range;
  /** The Reconfiguring part of it (at most the whole); absent: half of it. */
  reconfiguringMs?: Range;
  /** A server parameter (…/configurations) LRO before the new value is applied. */
  parameterMs: Range;
  /** A stop or start LRO besides the real pg_ctl work. */
  stopStartMs: Range;
  /** Creating a read replica: the Provisioning time besides the real base backup and start. */
  createMs?: Range;
  /** Deleting a server: the Dropping time besides the real stop. */
  deleteMs?: Range;
}

const fixed = (ms: number): Range => ({ min: ms, max: ms });

export const PROFILES: Record<PaceProfile, PaceRanges> = {
  fast: {
    promoteMs: fixed(1000),
    parameterMs: fixed(0),
    stopStartMs: fixed(200),
    createMs: fixed(500),
    deleteMs: fixed(200),
  },
  azure: {
    // "Once you initiate stop replication, the backend process typically takes about 2 minutes to complete"
    // (the read-replica page, quoted in MicrosoftDocs/azure-docs#41950); 1–3 min around it (pgflex issue 20).
    promoteMs: { min: 60_000, max: 180_000 },
    // "Reconfiguring might remain longer if the replica or its region is unavailable" (read-replica concepts
    // page, which gives no figure): up to a minute (pgflex issue 20), never less than 10 s.
    reconfiguringMs: { min: 10_000, max: 60_000 },
    // A server parameter change is an LRO that holds the server for tens of seconds: deployments that apply
    // several in a row meet ServerBusy / ServerIsBusy unless they wait, and people add 40 s sleeps
    // (hashicorp/terraform-provider-azurerm#14530, #28298; Azure/azure-postgresql#134); 20–40 s (issue 20).
    parameterMs: { min: 20_000, max: 40_000 },
    // Stop and start are "long-running" (Azure/azure-cli#21533, which added --no-wait for them): minutes.
    stopStartMs: { min: 60_000, max: 300_000 },
    // Creating a replica copies the source's data; Learn ("Create a read replica") gives no figure and says it
    // depends on the data's size. Deployments of an empty server take about 5–15 minutes; 5–20 here.
    createMs: { min: 300_000, max: 1_200_000 },
    // Deleting a server: undocumented; a few minutes as for stop.
    deleteMs: { min: 60_000, max: 300_000 },
  },
};

export interface PaceOptions {
  profile?: PaceProfile;
  /** Seed of the draws (default 1). */
  seed?: number;
  /** Every delay times this (default 1): tests run the azure profile at 1/100 of its pace. */
  timeScale?: number;
  /** Fixed overrides (LabOptions.promoteDelayMs / stopStartDelayMs). */
  promoteDelayMs?: number;
  stopStartDelayMs?: number;
}

/** One promote's delays: Reconfiguring, then Updating, before the real promote. */
export interface PromotePace {
  reconfiguringMs: number;
  updatingMs: number;
}

/** mulberry32: a small, well-mixed 32-bit generator; the same seed gives the same sequence. */
function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `--profile` and `--seed` of the lab, drill and bench command lines (an error names the flag). */
export function parseProfile(
  profile: string | undefined,
  seed: string | undefined,
): { profile?: PaceProfile; seed?: number } {
  if (profile !== undefined && profile !== "fast" && profile !== "azure")
    throw new Error(`--profile must be fast or azure, not '${profile}'`);
  const n = seed === undefined ? undefined : Number(seed);
  if (n !== undefined && !(Number.isInteger(n) && n >= 0)) throw new Error("--seed must be a whole number >= 0");
  return { ...(profile ? { profile } : {}), ...(n !== undefined ? { seed: n } : {}) };
}

/** The ranges of a profile with the fixed overrides applied. */
export function paceRanges(o: PaceOptions = {}): PaceRanges {
  const base = PROFILES[o.profile ?? "fast"];
  if (!base) throw new Error(`unknown lab profile '${String(o.profile)}': fast or azure`);
  return {
    ...base,
    ...(o.promoteDelayMs !== undefined ? { promoteMs: fixed(o.promoteDelayMs), reconfiguringMs: undefined } : {}),
    ...(o.stopStartDelayMs !== undefined ? { stopStartMs: fixed(o.stopStartDelayMs) } : {}),
  };
}

type Kind = "promote" | "reconfiguring" | "parameter" | "stopStart" | "create" | "delete";

/** Draws each operation's delays. One generator per kind, so the order of other kinds does not shift them. */
export class Pace {
  readonly ranges: PaceRanges;
  private readonly scale: number;
  private readonly draws: Record<Kind, () => number>;

  constructor(o: PaceOptions = {}) {
    this.ranges = paceRanges(o);
    this.scale = o.timeScale ?? 1;
    if (!(this.scale > 0)) throw new Error("timeScale must be > 0");
    const seed = o.seed ?? 1;
    this.draws = {
      promote: generator(seed * 4 + 1),
      reconfiguring: generator(seed * 4 + 2),
      parameter: generator(seed * 4 + 3),
      stopStart: generator(seed * 4 + 4),
      // Kinds added later draw from their own streams, so the earlier kinds' draws stay as they were.
      create: generator(seed * 4 + 1_000_003),
      delete: generator(seed * 4 + 2_000_003),
    };
  }

  promote(): PromotePace {
    const total = this.draw("promote", this.ranges.promoteMs);
    const r = this.ranges.reconfiguringMs;
    const reconfiguringMs = r ? Math.min(this.draw("reconfiguring", r), total) : total / 2;
    return { reconfiguringMs, updatingMs: total - reconfiguringMs };
  }

  parameter(): number {
    return this.draw("parameter", this.ranges.parameterMs);
  }

  stopStart(): number {
    return this.draw("stopStart", this.ranges.stopStartMs);
  }

  create(): number {
    return this.draw("create", this.ranges.createMs ?? fixed(0));
  }

  delete(): number {
    return this.draw("delete", this.ranges.deleteMs ?? fixed(0));
  }

  private draw(kind: Kind, r: Range): number {
    const u = this.draws[kind]();
    return Math.round((r.min + u * (r.max - r.min)) * this.scale);
  }
}
