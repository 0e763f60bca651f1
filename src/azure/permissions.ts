// What the app's identity may do on a resource, as ARM itself says: "Permissions - List For Resource"
// (Microsoft.Authorization, api-version 2022-04-01), GET {resourceId}/providers/Microsoft.Authorization/
// permissions → {value: [{actions, notActions, dataActions, notDataActions}], nextLink}. A read about the
// caller itself: nothing is changed. No SDK package for it is a dependency here, so it goes through the same
// pipeline pieces the ARM SDK clients use (bearer token for the ARM endpoint, the lab's CA when set).
import type { TokenCredential } from "@azure/core-auth";
import {
  RestError,
  bearerTokenAuthenticationPolicy,
  createDefaultHttpClient,
  createPipelineFromOptions,
  createPipelineRequest,
  type HttpClient,
  type Pipeline,
} from "@azure/core-rest-pipeline";
import type { AppConfig } from "../config/settings";
import type { PermissionBlock } from "../domain/rbac-actions";
import { armCall } from "./errors";

export const PERMISSIONS_API_VERSION = "2022-04-01";
const MAX_PAGES = 5;

export interface Permissions {
  /** The caller's permission blocks at `resourceId` (a server, a DNS record set). */
  of(resourceId: string): Promise<PermissionBlock[]>;
}

interface PermissionList {
  value?: { actions?: string[]; notActions?: string[] }[];
  nextLink?: string;
}

export class ArmPermissions implements Permissions {
  private readonly pipeline: Pipeline;
  private readonly http: HttpClient = createDefaultHttpClient();

  constructor(
    credential: TokenCredential,
    private readonly arm: AppConfig["arm"],
  ) {
    this.pipeline = createPipelineFromOptions(arm.caPem ? { tlsOptions: { ca: arm.caPem } } : {});
    this.pipeline.addPolicy(bearerTokenAuthenticationPolicy({ credential, scopes: `${arm.endpoint}/.default` }));
  }

  async of(resourceId: string): Promise<PermissionBlock[]> {
    const name = resourceId.split("/").pop();
    return armCall(`read its permissions on ${name}`, async () => {
      const blocks: PermissionBlock[] = [];
      let url: string | undefined =
        `${this.arm.endpoint}${resourceId}/providers/Microsoft.Authorization/permissions?api-version=${PERMISSIONS_API_VERSION}`;
      for (let page = 0; url && page < MAX_PAGES; page++) {
        const res = await this.pipeline.sendRequest(this.http, createPipelineRequest({ url, method: "GET" }));
        const body = parse(res.bodyAsText);
        if (res.status !== 200) {
          const err = (body as { error?: { code?: string; message?: string } })?.error;
          throw new RestError(err?.message ?? `HTTP ${res.status}`, {
            statusCode: res.status,
            code: err?.code ?? `Http${res.status}`,
          });
        }
        const list = body as PermissionList;
        for (const p of list.value ?? []) blocks.push({ actions: p.actions ?? [], notActions: p.notActions ?? [] });
        url = list.nextLink;
      }
      return blocks;
    });
  }
}

function parse(text: string | null | undefined): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}
