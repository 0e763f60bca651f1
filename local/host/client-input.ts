// The durableClient input binding value, with URLs pointing at this host and carrying the system key.
import type { HostKeys } from "./keys";

export const WEBHOOK_PATH = "/runtime/webhooks/durabletask";
/** Keyless-style RPC base used by DurableClient; the system key is a path segment because the client drops query strings. */
export const RPC_PATH = "/_durabletask-rpc";

export interface ClientInputData {
  taskHubName: string;
  creationUrls: Record<string, string>;
  managementUrls: Record<string, string>;
  baseUrl: string;
  requiredQueryStringParameters: string;
  rpcBaseUrl: string;
}

export function buildClientInput(baseUrl: string, hubName: string, keys: HostKeys): ClientInputData {
  const hook = `${baseUrl}${WEBHOOK_PATH}`;
  const code = encodeURIComponent(keys.systemKey);
  const q = `taskHub=${encodeURIComponent(hubName)}&connection=Storage&code=${code}`;
  return {
    taskHubName: hubName,
    creationUrls: {
      createNewInstancePostUri: `${hook}/orchestrators/{functionName}[/{instanceId}]?code=${code}`,
      waitOnNewInstancePostUri: `${hook}/orchestrators/{functionName}[/{instanceId}]?timeout={timeoutInSeconds}&pollingInterval={intervalInSeconds}&code=${code}`,
    },
    managementUrls: managementUrls(hook, "INSTANCEID", q),
    baseUrl: hook,
    requiredQueryStringParameters: q,
    rpcBaseUrl: `${baseUrl}${RPC_PATH}/${code}/`,
  };
}

/** The HTTP management payload (createCheckStatusResponse body) for one instance id or placeholder. */
export function managementUrls(hook: string, id: string, q: string): Record<string, string> {
  const i = id === "INSTANCEID" ? id : encodeURIComponent(id);
  return {
    id,
    statusQueryGetUri: `${hook}/instances/${i}?${q}`,
    sendEventPostUri: `${hook}/instances/${i}/raiseEvent/{eventName}?${q}`,
    terminatePostUri: `${hook}/instances/${i}/terminate?reason={text}&${q}`,
    rewindPostUri: `${hook}/instances/${i}/rewind?reason={text}&${q}`,
    purgeHistoryDeleteUri: `${hook}/instances/${i}?${q}`,
    restartPostUri: `${hook}/instances/${i}/restart?${q}`,
    suspendPostUri: `${hook}/instances/${i}/suspend?reason={text}&${q}`,
    resumePostUri: `${hook}/instances/${i}/resume?reason={text}&${q}`,
  };
}
