// Long-running operations as ARM models them: an operation-status resource polled through the absolute
// Azure-AsyncOperation URL, and an operation-result URL (Location) that answers 202 until done.
import { randomUUID } from "node:crypto";
import type { ArmResponse } from "./router";

export type OperationStatus = "InProgress" | "Succeeded" | "Failed" | "Canceled";

export interface Operation {
  id: string;
  /** e.g. "promote", "stop", "start", "configuration" — for tests and the lab's own inspection */
  kind: string;
  resourceName: string;
  location: string; // region (eastus)
  status: OperationStatus;
  startTime: string;
  endTime?: string;
  error?: { code: string; message: string };
  /** The resource body the Location URL returns once the operation succeeded. */
  result: () => unknown;
}

/** An operation failure with an ARM error code (reported in the operation status, not as an HTTP error). */
export class OperationError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export class Operations {
  private readonly ops = new Map<string, Operation>();
  constructor(
    private readonly subscriptionId: string,
    /** The emulator's https base URL: polling URLs are absolute, as the RP's are. */
    private readonly endpoint: string,
    /** Retry-After on polls of a running operation; off by default because core-lro honours it (slows tests). */
    readonly pollRetryAfterSeconds?: number,
  ) {}

  pollHeaders(op: Operation): Record<string, string> {
    return op.status === "InProgress" && this.pollRetryAfterSeconds !== undefined
      ? { "Retry-After": String(this.pollRetryAfterSeconds) }
      : {};
  }

  create(kind: string, resourceName: string, location: string, result: () => unknown): Operation {
    const op: Operation = {
      id: randomUUID(),
      kind,
      resourceName,
      location,
      status: "InProgress",
      startTime: new Date().toISOString(),
      result,
    };
    this.ops.set(op.id, op);
    return op;
  }

  get(id: string): Operation | undefined {
    return this.ops.get(id.toLowerCase());
  }

  list(): Operation[] {
    return [...this.ops.values()];
  }

  /** Runs the work in the background; the operation ends Succeeded, or Failed with the error's code. */
  run(op: Operation, work: () => Promise<void>, log: (l: string) => void): void {
    work().then(
      () => this.finish(op, "Succeeded"),
      (e: unknown) => {
        const code = e instanceof OperationError ? e.code : "InternalServerError";
        log(`arm: operation ${op.kind} ${op.resourceName} failed: ${code}: ${(e as Error).message}`);
        this.finish(op, "Failed", { code, message: (e as Error).message });
      },
    );
  }

  private finish(op: Operation, status: OperationStatus, error?: { code: string; message: string }): void {
    op.status = status;
    op.endTime = new Date().toISOString();
    if (error) op.error = error;
  }

  private base(op: Operation): string {
    return `${this.endpoint}/subscriptions/${this.subscriptionId}/providers/Microsoft.DBforPostgreSQL/locations/${op.location}`;
  }

  /** 202 Accepted with absolute polling URLs, as the PostgreSQL RP answers an LRO. */
  accepted(op: Operation, apiVersion: string, headers: { asyncOperation: boolean; location: boolean }): ArmResponse {
    const q = `?api-version=${encodeURIComponent(apiVersion)}`;
    const h: Record<string, string> = { "Retry-After": "1" };
    if (headers.asyncOperation) h["Azure-AsyncOperation"] = `${this.base(op)}/azureAsyncOperation/${op.id}${q}`;
    if (headers.location) h["Location"] = `${this.base(op)}/operationResults/${op.id}${q}`;
    return { status: 202, headers: h };
  }

  statusBody(op: Operation): unknown {
    return {
      id: `/subscriptions/${this.subscriptionId}/providers/Microsoft.DBforPostgreSQL/locations/${op.location}/azureAsyncOperation/${op.id}`,
      name: op.id,
      status: op.status,
      startTime: op.startTime,
      ...(op.endTime ? { endTime: op.endTime } : {}),
      ...(op.error ? { error: op.error } : {}),
    };
  }
}
