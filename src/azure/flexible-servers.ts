// Adapter over @azure/arm-postgresql-flexible: read a server, start a standalone promote.
import { PostgreSQLManagementFlexibleServerClient, type Server } from "@azure/arm-postgresql-flexible";
import type { TokenCredential } from "@azure/core-auth";
import { createPipelineRequest, isRestError, RestError } from "@azure/core-rest-pipeline";
import type { OperationState, SimplePollerLike } from "@azure/core-lro";
import type { AppConfig } from "../config/settings";
import { parseServerId } from "../config/pair-schema";
import type { PromoteOption, ServerNetwork, ServerState } from "../domain/facts";
import { perSubscription } from "./client-cache";
import { armClientOptions } from "./client-options";
import { describeError } from "../domain/describe-error";
import { isBusy, type OperationStatus } from "../domain/promotion";
import { ArmRefusal, armCall } from "./errors";

export interface FlexibleServers {
  get(resourceId: string): Promise<ServerState>;
  /**
   * Sends the promote PATCH and returns once ARM has accepted it, with the operation's status URL
   * (Azure-AsyncOperation, else Location) and what its first poll said. When that poll itself failed (not
   * the operation), `pollError` says so: the promote may be under way.
   */
  startPromote(resourceId: string, option: PromoteOption): Promise<StartedPromote>;
  /** The status of a long-running operation by its status URL (only ever on the configured ARM endpoint). */
  operationStatus(url: string): Promise<{ status: OperationStatus; error?: string }>;
  /** A server parameter's current value (ARM configurations API). */
  getParameter(resourceId: string, name: string): Promise<string>;
  /**
   * Sets a server parameter and waits for ARM to apply it (dynamic parameters apply without a restart);
   * `abortSignal` bounds the wait (an LRO against a server in trouble may not end).
   */
  setParameter(resourceId: string, name: string, value: string, options?: { abortSignal?: AbortSignal }): Promise<void>;
  /** Asks ARM to stop the server; returns once the stop was accepted. */
  startStop(resourceId: string): Promise<void>;
  /**
   * Asks ARM to create a read replica of `sourceServerResourceId` named by `resourceId` in `location`, on the
   * given network; returns once ARM accepted it, with the operation's status URL (the run polls durably).
   */
  startCreateReplica(r: ReplicaToCreate): Promise<StartedOperation>;
  /** Asks ARM to delete the server; returns once the delete was accepted. */
  startDelete(resourceId: string): Promise<StartedOperation>;
}

/** A replica to create: where, from what, on which network (copied from the server it replaces). */
export interface ReplicaToCreate {
  resourceId: string;
  location: string;
  sourceServerResourceId: string;
  network: ServerNetwork | null;
}

/** A long-running operation ARM accepted: its status URL and what its first poll said. */
export type StartedOperation = StartedPromote;

export interface StartedPromote {
  operationUrl: string | null;
  firstPoll: { status: OperationStatus; error?: string } | null;
  pollError?: string;
}

export class ArmFlexibleServers implements FlexibleServers {
  private readonly client: (subscriptionId: string) => PostgreSQLManagementFlexibleServerClient;

  private readonly endpoint: string;

  constructor(credential: TokenCredential, arm: AppConfig["arm"]) {
    this.endpoint = arm.endpoint;
    this.client = perSubscription(
      (sub) => new PostgreSQLManagementFlexibleServerClient(credential, sub, armClientOptions(arm)),
    );
  }

  async get(resourceId: string): Promise<ServerState> {
    const { subscriptionId, resourceGroup, name } = parseServerId(resourceId);
    const s = await armCall(`read the server ${name}`, () =>
      this.client(subscriptionId).servers.get(resourceGroup, name),
    );
    return toState(resourceId, s);
  }

  async startPromote(resourceId: string, option: PromoteOption): Promise<StartedPromote> {
    const { subscriptionId, resourceGroup, name } = parseServerId(resourceId);
    // beginUpdate returns after ARM's 202 and one poll; the orchestrator's durable loop does the waiting, so no
    // activity holds a worker for the minutes a promote takes.
    return this.startLro(`promote ${name}`, "PATCH", (onResponse) =>
      this.client(subscriptionId).servers.beginUpdate(
        resourceGroup,
        name,
        { replica: { promoteMode: "Standalone", promoteOption: option } },
        { onResponse },
      ),
    );
  }

  async startCreateReplica(r: ReplicaToCreate): Promise<StartedOperation> {
    const { subscriptionId, resourceGroup, name } = parseServerId(r.resourceId);
    // The REST spec's ServerCreateReplica example: createMode Replica, the source's id, the location; a
    // VNet-integrated replica names its delegated subnet and private DNS zone (Learn: "Networking with private
    // access (VNET integration)"; `az postgres flexible-server replica create --vnet/--subnet/--private-dns-zone`).
    const network = r.network
      ? {
          ...(r.network.delegatedSubnetResourceId
            ? { delegatedSubnetResourceId: r.network.delegatedSubnetResourceId }
            : {}),
          ...(r.network.privateDnsZoneArmResourceId
            ? { privateDnsZoneArmResourceId: r.network.privateDnsZoneArmResourceId }
            : {}),
        }
      : undefined;
    return this.startLro(`create the replica ${name}`, "PUT", (onResponse) =>
      this.client(subscriptionId).servers.beginCreateOrUpdate(
        resourceGroup,
        name,
        {
          location: r.location,
          createMode: "Replica",
          sourceServerResourceId: r.sourceServerResourceId,
          ...(network ? { network } : {}),
        },
        { onResponse },
      ),
    );
  }

  async startDelete(resourceId: string): Promise<StartedOperation> {
    const { subscriptionId, resourceGroup, name } = parseServerId(resourceId);
    return this.startLro(`delete ${name}`, "DELETE", (onResponse) =>
      this.client(subscriptionId).servers.beginDelete(resourceGroup, name, { onResponse }),
    );
  }

  /**
   * Starts a long-running operation and returns once ARM accepted it: the status URL (Azure-AsyncOperation,
   * else Location) and the SDK's first poll. When that poll itself failed (not the operation), `pollError` says
   * so: the operation may be under way.
   */
  private async startLro(
    operation: string,
    method: string,
    begin: (
      onResponse: (raw: {
        request: { method: string };
        status: number;
        headers: { get(n: string): string | undefined };
      }) => void,
    ) => Promise<SimplePollerLike<OperationState<unknown>, unknown>>,
  ): Promise<StartedOperation> {
    let accepted = false;
    let operationUrl: string | null = null;
    try {
      const poller = await armCall(operation, () =>
        begin((raw) => {
          if (raw.request.method !== method || raw.status < 200 || raw.status >= 300) return;
          accepted = true;
          operationUrl = raw.headers.get("azure-asyncoperation") ?? raw.headers.get("location") ?? null;
        }),
      );
      const state = poller.getOperationState();
      const status: OperationStatus =
        state.status === "succeeded" ? "Succeeded" : state.status === "failed" ? "Failed" : "InProgress";
      return { operationUrl, firstPoll: { status, ...(state.error ? { error: describeError(state.error) } : {}) } };
    } catch (e) {
      if (!accepted) throw e;
      // The SDK's first poll threw: an operation that already failed (asynchronous validation), or a poll error.
      const first = operationUrl ? await this.operationStatus(operationUrl).catch(() => null) : null;
      return { operationUrl, firstPoll: first, pollError: describeError(e) };
    }
  }

  async operationStatus(url: string): Promise<{ status: OperationStatus; error?: string }> {
    const target = new URL(url);
    // The URL came from a response header: the app's token goes to the configured ARM endpoint only.
    if (target.origin !== new URL(this.endpoint).origin)
      throw new ArmRefusal(
        "read an operation status",
        "UntrustedOperationUrl",
        undefined,
        `${target.origin} is not the ARM endpoint`,
      );
    const subscriptionId = /\/subscriptions\/([^/]+)/i.exec(target.pathname)?.[1] ?? "";
    const res = await armCall("read an operation's status", async () => {
      const r = await this.client(subscriptionId).sendRequest(createPipelineRequest({ url, method: "GET" }));
      if (r.status >= 400) {
        const body = parseJson(r.bodyAsText) as { error?: { code?: string; message?: string } } | undefined;
        throw new RestError(body?.error?.message ?? `HTTP ${r.status}`, {
          statusCode: r.status,
          code: body?.error?.code,
          request: r.request,
          response: r,
        });
      }
      return r;
    });
    const body = parseJson(res.bodyAsText) as
      { status?: string; error?: { code?: string; message?: string } } | undefined;
    const s = (body?.status ?? "").toLowerCase();
    const status: OperationStatus =
      s === "succeeded"
        ? "Succeeded"
        : s === "failed"
          ? "Failed"
          : s === "canceled" || s === "cancelled"
            ? "Canceled"
            : "InProgress";
    const error = body?.error ? `${body.error.code ?? "Failed"}: ${body.error.message ?? ""}` : undefined;
    return { status, ...(error ? { error } : {}) };
  }

  async getParameter(resourceId: string, name: string): Promise<string> {
    const { subscriptionId, resourceGroup, name: server } = parseServerId(resourceId);
    const c = await armCall(`read the server parameter ${name} of ${server}`, () =>
      this.client(subscriptionId).configurations.get(resourceGroup, server, name),
    );
    return c.value ?? "";
  }

  async setParameter(
    resourceId: string,
    name: string,
    value: string,
    options: { abortSignal?: AbortSignal } = {},
  ): Promise<void> {
    const { subscriptionId, resourceGroup, name: server } = parseServerId(resourceId);
    const operation = `set ${name} = ${value} on ${server}`;
    const poller = await armCall(operation, () =>
      this.client(subscriptionId).configurations.beginPut(
        resourceGroup,
        server,
        name,
        { value, source: "user-override" },
        { updateIntervalInMs: 1000, abortSignal: options.abortSignal },
      ),
    );
    await armCall(operation, () => untilDone(operation, poller, options.abortSignal));
  }

  async startStop(resourceId: string): Promise<void> {
    const { subscriptionId, resourceGroup, name } = parseServerId(resourceId);
    await armCall(`stop ${name}`, () => this.client(subscriptionId).servers.beginStop(resourceGroup, name));
  }
}

/** Waits for an LRO; one that ends Failed is a permanent answer (retrying the same request would not help). */
async function untilDone(
  operation: string,
  poller: SimplePollerLike<OperationState<unknown>, unknown>,
  abortSignal?: AbortSignal,
): Promise<void> {
  try {
    await poller.pollUntilDone({ abortSignal });
  } catch (e) {
    const state = poller.getOperationState();
    // A poll that failed at the HTTP level (429, 5xx, a dropped connection) says nothing about the operation:
    // armCall sorts it like any other answer (throttling and 5xx are retried). An operation that reported
    // Failed is permanent, unless Azure said it was busy ("The long-running operation has failed. ServerBusy. …").
    if (isRestError(e) || state.status !== "failed" || isBusy(undefined, (e as Error)?.message)) throw e;
    throw new ArmRefusal(operation, "OperationFailed", undefined, describeError(e));
  }
}

function toState(resourceId: string, s: Server): ServerState {
  return {
    resourceId,
    name: s.name ?? parseServerId(resourceId).name,
    location: s.location,
    fqdn: s.fullyQualifiedDomainName,
    state: s.state,
    role: s.replica?.role ?? s.replicationRole,
    sourceServerResourceId: s.sourceServerResourceId || undefined,
    replicationState: s.replica?.replicationState ?? undefined,
    ...(s.network
      ? {
          network: {
            delegatedSubnetResourceId: s.network.delegatedSubnetResourceId || null,
            privateDnsZoneArmResourceId: s.network.privateDnsZoneArmResourceId || null,
          },
        }
      : {}),
  };
}

function parseJson(text: string | null | undefined): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}
