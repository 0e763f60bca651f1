// The App Service Authentication ("Easy Auth") configuration for the lab's issuer, in the shape of the
// Microsoft.Web/sites/config 'authsettingsV2' properties (the same layout as Easy Auth's file-based
// configuration): what the local host reads to play Easy Auth. No secret in it: a bearer-only API needs none.
import type { IssuerInfo } from "./issuer";

/**
 * The paths Easy Auth lets through without a token (exact matches; "/*" covers what is below): the alert
 * endpoint, which an action group's "Azure Function" action calls with the function key, the status page's
 * files (no data in them: the page shows its own sign-in), and Durable Functions' own webhooks, reached with
 * the system key. The same list as the deployment's.
 */
export const EXCLUDED_PATHS = [
  "/api/alerts",
  "/api/ui",
  "/api/ui/*",
  // Not /runtime/webhooks/durabletask: the Durable webhook stays behind authentication (a key alone can terminate
  // or purge); the app's own durable client reaches the extension in-process, not through it.
];

export function authSettingsV2(i: Pick<IssuerInfo, "issuer" | "clientId">) {
  return {
    platform: { enabled: true },
    globalValidation: {
      // As deployed: a request without a valid token never reaches the app (the app checks roles as well).
      requireAuthentication: true,
      unauthenticatedClientAction: "Return401",
      excludedPaths: [...EXCLUDED_PATHS],
    },
    identityProviders: {
      azureActiveDirectory: {
        enabled: true,
        registration: { openIdIssuer: i.issuer, clientId: i.clientId },
        validation: { allowedAudiences: [i.clientId, `api://${i.clientId}`] },
      },
    },
    // A signed-in browser's requests reach the app with the session's token (X-MS-TOKEN-AAD-ID-TOKEN), which the
    // app validates itself: the principal header alone is not enough for it.
    login: { tokenStore: { enabled: true } },
  };
}
