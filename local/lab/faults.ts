// Faults injected into the ARM emulator on demand: next N matching requests fail with a status, stall, or
// lose their connection; or the next promote ends Failed.
import { randomUUID } from "node:crypto";

export interface FaultMatch {
  /** HTTP method (case-insensitive); any when omitted. */
  method?: string;
  /** Case-insensitive substring of the request path (no query), or a RegExp (matched case-insensitively). */
  path?: string | RegExp;
  /** Same as a RegExp path, for JSON callers (HTTP API). */
  pathRegex?: string;
  /** How many matching requests to affect; default 1; "always" until cleared. */
  times?: number | "always";
}

export type FaultSpec =
  | (FaultMatch & { kind: "status"; status: number; retryAfterSeconds?: number; code?: string; message?: string })
  | (FaultMatch & { kind: "stall"; /** hold for this long then serve normally; omitted = until cleared */ ms?: number })
  | (FaultMatch & { kind: "drop" })
  | { kind: "promoteFail"; times?: number | "always"; code?: string; message?: string };

export type Fault = FaultSpec & { id: string; remaining: number | "always"; hits: number };

export class Faults {
  private faults: Fault[] = [];
  private readonly clearListeners = new Set<() => void>();

  add(spec: FaultSpec): Fault {
    validate(spec);
    const fault = { ...spec, id: randomUUID(), remaining: spec.times ?? 1, hits: 0 } as Fault;
    this.faults.push(fault);
    return { ...fault };
  }

  list(): Fault[] {
    return this.faults.map(
      (f) =>
        ({
          ...f,
          path: f.kind !== "promoteFail" && f.path instanceof RegExp ? String(f.path) : (f as FaultMatch).path,
        }) as Fault,
    );
  }

  /** Remove one fault (by id) or all; requests stalled "until cleared" are then released. */
  clear(id?: string): void {
    this.faults = id === undefined ? [] : this.faults.filter((f) => f.id !== id);
    for (const l of [...this.clearListeners]) l();
  }

  onClear(listener: () => void): () => void {
    this.clearListeners.add(listener);
    return () => this.clearListeners.delete(listener);
  }

  has(id: string): boolean {
    return this.faults.some((f) => f.id === id);
  }

  /** The first request fault matching this request, consumed by one. */
  takeRequestFault(method: string, path: string): Fault | undefined {
    const f = this.faults.find((x) => x.kind !== "promoteFail" && matches(x, method, path));
    return f && this.consume(f);
  }

  takePromoteFail(): Fault | undefined {
    const f = this.faults.find((x) => x.kind === "promoteFail");
    return f && this.consume(f);
  }

  private consume(f: Fault): Fault {
    f.hits++;
    if (f.remaining !== "always") {
      f.remaining--;
      if (f.remaining <= 0) this.faults = this.faults.filter((x) => x !== f);
    }
    return { ...f };
  }
}

function matches(f: Fault & FaultMatch, method: string, path: string): boolean {
  if (f.method && f.method.toUpperCase() !== method.toUpperCase()) return false;
  if (f.pathRegex !== undefined && !new RegExp(f.pathRegex, "i").test(path)) return false;
  if (f.path instanceof RegExp)
    return new RegExp(f.path.source, f.path.flags.includes("i") ? f.path.flags : f.path.flags + "i").test(path);
  if (typeof f.path === "string") return path.toLowerCase().includes(f.path.toLowerCase());
  return true;
}

function validate(spec: FaultSpec): void {
  const bad = (m: string): never => {
    throw new FaultSpecError(m);
  };
  if (typeof spec !== "object" || spec === null) bad("fault must be an object");
  const times = (spec as FaultMatch).times;
  if (times !== undefined && times !== "always" && !(Number.isInteger(times) && times > 0))
    bad('times must be a positive integer or "always"');
  switch (spec.kind) {
    case "status":
      if (!Number.isInteger(spec.status) || spec.status < 400 || spec.status > 599)
        bad("status must be an HTTP error status 400-599");
      break;
    case "stall":
      if (spec.ms !== undefined && !(typeof spec.ms === "number" && spec.ms >= 0))
        bad("ms must be a non-negative number");
      break;
    case "drop":
    case "promoteFail":
      break;
    default:
      bad(`unknown fault kind '${(spec as { kind?: unknown }).kind}' (status, stall, drop, promoteFail)`);
  }
  if (spec.kind !== "promoteFail" && spec.pathRegex !== undefined) {
    try {
      new RegExp(spec.pathRegex);
    } catch {
      bad("pathRegex is not a valid regular expression");
    }
  }
}

export class FaultSpecError extends Error {}
