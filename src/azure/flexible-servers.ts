// Adapter over @azure/arm-postgresql-flexible: read a server, start a standalone promote.
import { PostgreSQLManagementFlexibleServerClient, type Server } from "@azure/arm-postgresql-flexible";
import type { TokenCredential } from "@azure/core-auth";
import type { OperationState, SimplePollerLike } from "@azure/core-lro";
import type { AppConfig } from "../config/settings";
import { parseServerId } from "../config/pair-schema";
import type { PromoteOption, ServerState } from "../domain/facts";
import { perSubscription } from "./client-cache";
import { armClientOptions } from "./client-options";
import { describeError } from "../domain/describe-error";
import { ArmRefusal, armCall } from "./errors";

export interface FlexibleServers {
  get(resourceId: string): Promise<ServerState>;
  /**
   * Sends the promote PATCH and returns once ARM has accepted it; the caller polls `get`. When the PATCH
   * was accepted but the SDK's first poll of the operation failed, that is not a refusal: the promote
   * is under way, and `pollError` says what the poll saw.
   */
  startPromote(resourceId: string, option: PromoteOption): Promise<{ pollError?: string }>;
  /** A server parameter's current value (ARM configurations API). */
  getParameter(resourceId: string, name: string): Promise<string>;
  /**
   * Sets a server parameter and waits for ARM to apply it (dynamic parameters apply without a restart);
   * `abortSignal` bounds the wait (an LRO against a server in trouble may not end).
   */
  setParameter(resourceId: string, name: string, value: string, options?: { abortSignal?: AbortSignal }): Promise<void>;
  /** Asks ARM to stop the server; returns once the stop was accepted. */
  startStop(resourceId: string): Promise<void>;
}

export class ArmFlexibleServers implements FlexibleServers {
  private readonly client: (subscriptionId: string) => PostgreSQLManagementFlexibleServerClient;

  constructor(credential: TokenCredential, arm: AppConfig["arm"]) {
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

  async startPromote(resourceId: string, option: PromoteOption): Promise<{ pollError?: string }> {
    const { subscriptionId, resourceGroup, name } = parseServerId(resourceId);
    let accepted = false;
    try {
      // beginUpdate returns after ARM's 202 and one poll; the orchestrator's durable loop does the
      // waiting, so no activity holds a worker for the minutes a promote takes.
      await armCall(`promote ${name}`, () =>
        this.client(subscriptionId).servers.beginUpdate(
          resourceGroup,
          name,
          { replica: { promoteMode: "Standalone", promoteOption: option } },
          {
            onResponse: (raw) => {
              if (raw.request.method === "PATCH" && raw.status >= 200 && raw.status < 300) accepted = true;
            },
          },
        ),
      );
      return {};
    } catch (e) {
      if (accepted) return { pollError: describeError(e) };
      throw e;
    }
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
    if (state.status === "failed") throw new ArmRefusal(operation, "OperationFailed", undefined, describeError(e));
    throw e;
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
  };
}
