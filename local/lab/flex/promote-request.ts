// A server PATCH body → a promote request, or null when the PATCH is not a promote. Enums are case-insensitive.
import { badRequest } from "../arm/errors";
import type { PromoteOption } from "./types";

export interface PromoteRequest {
  mode: "standalone";
  option: PromoteOption;
}

export function parsePromote(body: unknown): PromoteRequest | null {
  if (body === undefined || body === null) return null;
  if (typeof body !== "object" || Array.isArray(body))
    throw badRequest("InvalidRequestContent", "The request body must be a JSON object.");
  const props = (body as { properties?: unknown }).properties;
  if (props === undefined || props === null) return null;
  if (typeof props !== "object") throw badRequest("InvalidRequestContent", "'properties' must be an object.");
  const p = props as {
    replica?: { promoteMode?: unknown; promoteOption?: unknown };
    replicationRole?: unknown;
    administratorLoginPassword?: unknown;
  };
  let result: PromoteRequest | null = null;
  if (p.replica && (p.replica.promoteMode != null || p.replica.promoteOption != null)) {
    result = fromReplica(p.replica);
  } else if (p.replicationRole != null) {
    if (String(p.replicationRole).toLowerCase() !== "none") {
      throw badRequest(
        "InvalidParameterValue",
        `replicationRole can only be set to 'None' (promote); got '${String(p.replicationRole)}'.`,
      );
    }
    // The legacy promote predates Planned/Forced and did not wait for catch-up.
    result = { mode: "standalone", option: "forced" };
  }
  if (result && p.administratorLoginPassword != null) {
    throw badRequest(
      "InvalidParameterCombination",
      "A promote cannot be combined with other property updates such as administratorLoginPassword.",
    );
  }
  return result;
}

function fromReplica(r: { promoteMode?: unknown; promoteOption?: unknown }): PromoteRequest {
  const mode = String(r.promoteMode ?? "standalone").toLowerCase();
  const option = String(r.promoteOption ?? "planned").toLowerCase();
  if (mode === "switchover")
    throw badRequest(
      "UnsupportedPromoteMode",
      "promoteMode 'Switchover' needs virtual endpoints, which the lab does not emulate; use 'Standalone'.",
    );
  if (mode !== "standalone")
    throw badRequest(
      "InvalidParameterValue",
      `Invalid promoteMode '${String(r.promoteMode)}'. Allowed: Standalone, Switchover.`,
    );
  if (option !== "planned" && option !== "forced")
    throw badRequest(
      "InvalidParameterValue",
      `Invalid promoteOption '${String(r.promoteOption)}'. Allowed: Planned, Forced.`,
    );
  return { mode, option };
}
