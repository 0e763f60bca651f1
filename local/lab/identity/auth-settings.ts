// The App Service Authentication ("Easy Auth") configuration for the lab's issuer, in the shape of the
// Microsoft.Web/sites/config 'authsettingsV2' properties (the same layout as Easy Auth's file-based
// configuration): what the local host reads to play Easy Auth. No secret in it: a bearer-only API needs none.
import type { IssuerInfo } from "./issuer";

/** Durable Functions' own webhooks are reached with the system key, never with a user's token. */
export const EXCLUDED_PATHS = ["/runtime/webhooks/durabletask"];

export function authSettingsV2(i: Pick<IssuerInfo, "issuer" | "clientId">) {
  return {
    platform: { enabled: true },
    globalValidation: {
      // Anonymous requests reach the app without a principal; the app decides (it requires app roles).
      requireAuthentication: false,
      unauthenticatedClientAction: "AllowAnonymous",
      excludedPaths: [...EXCLUDED_PATHS],
    },
    identityProviders: {
      azureActiveDirectory: {
        enabled: true,
        registration: { openIdIssuer: i.issuer, clientId: i.clientId },
        validation: { allowedAudiences: [i.clientId, `api://${i.clientId}`] },
      },
    },
  };
}
