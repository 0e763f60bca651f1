import type { Principal } from "./principal";

/** A principal as the audit and the log name it: display name and object id. */
export function who(p: Principal): string {
  return `${p.name} (${p.oid})`;
}
