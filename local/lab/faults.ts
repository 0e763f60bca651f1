// Faults injected into the ARM emulator on demand: next N matching requests fail with a status, stall, or
// lose their connection; the next promote or replica creation ends Failed; the next promote/stop/start/create/delete is
// held until cleared.
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
  /** The next promote's operation ends Failed; `immediate`: at once, so its first poll already says Failed. */
  | { kind: "promoteFail"; times?: number | "always"; code?: string; message?: string; immediate?: boolean }
  /** The next replica creation's operation ends Failed (a quota, say) with this code and message. */
  | { kind: "createFail"; times?: number | "always"; code?: string; message?: string }
  /** The next such operation stays InProgress (server Updating/Stopping/Starting) until this fault is cleared. */
  | { kind: "hold"; operation: HeldOperation; times?: number | "always" };

export type HeldOperation = "promote" | "stop" | "start" | "create" | "delete";
const HELD_OPERATIONS: readonly string[] = ["promote", "stop", "start", "create", "delete"];

type RequestFault = Extract<FaultSpec, { kind: "status" | "stall" | "drop" }>;
const isRequestFault = (f: FaultSpec): f is RequestFault =>
  f.kind === "status" || f.kind === "stall" || f.kind === "drop";

export type Fault = FaultSpec & { id: string; remaining: number | "always"; hits: number };

export class Faults {
  private faults: Fault[] = [];
  private readonly clearListeners = new Set<(id?: string) => void>();

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
          ...(isRequestFault(f) && f.path instanceof RegExp ? { path: String(f.path) } : {}),
        }) as Fault,
    );
  }

  /** Remove one fault (by id) or all; what it holds ("until cleared" stalls, holds) is then released. */
  clear(id?: string): void {
    this.faults = id === undefined ? [] : this.faults.filter((f) => f.id !== id);
    for (const l of [...this.clearListeners]) l(id);
  }

  /** Resolves when the fault with this id is cleared (by id, or all faults at once). */
  cleared(id: string): { done: Promise<void>; cancel(): void } {
    let listener: (cleared?: string) => void = () => undefined;
    const done = new Promise<void>((resolve) => {
      listener = (cleared) => {
        if (cleared !== undefined && cleared !== id) return;
        this.clearListeners.delete(listener);
        resolve();
      };
      this.clearListeners.add(listener);
    });
    return { done, cancel: () => this.clearListeners.delete(listener) };
  }

  /** The first request fault matching this request, consumed by one. */
  takeRequestFault(method: string, path: string): Fault | undefined {
    const f = this.faults.find((x) => isRequestFault(x) && matches(x, method, path));
    return f && this.consume(f);
  }

  /** Waits while a hold fault for this operation exists (consuming it) until that fault is cleared. */
  async hold(operation: HeldOperation): Promise<void> {
    const f = this.faults.find((x) => x.kind === "hold" && x.operation === operation);
    if (f) await this.cleared(this.consume(f).id).done;
  }

  takePromoteFail(): Fault | undefined {
    const f = this.faults.find((x) => x.kind === "promoteFail");
    return f && this.consume(f);
  }

  takeCreateFail(): Extract<Fault, { kind: "createFail" }> | undefined {
    const f = this.faults.find((x) => x.kind === "createFail");
    return f && (this.consume(f) as Extract<Fault, { kind: "createFail" }>);
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

function matches(f: FaultMatch, method: string, path: string): boolean {
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
    case "hold":
      if (!HELD_OPERATIONS.includes(spec.operation)) bad(`operation must be one of ${HELD_OPERATIONS.join(", ")}`);
      break;
    case "drop":
    case "promoteFail":
    case "createFail":
      break;
    default:
      bad(
        `unknown fault kind '${(spec as { kind?: unknown }).kind}' (status, stall, drop, promoteFail, createFail, hold)`,
      );
  }
  if (isRequestFault(spec) && spec.pathRegex !== undefined) {
    try {
      new RegExp(spec.pathRegex);
    } catch {
      bad("pathRegex is not a valid regular expression");
    }
  }
}

export class FaultSpecError extends Error {}
