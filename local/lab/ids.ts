// Random identifiers shaped like Azure's.
import { randomBytes, randomUUID } from "node:crypto";

export const hex = (chars: number): string =>
  randomBytes(Math.ceil(chars / 2))
    .toString("hex")
    .slice(0, chars);
export const uuid = (): string => randomUUID();
/** Secret-ish random string usable in passwords and connection strings without quoting. */
export const secret = (): string => randomBytes(18).toString("base64url");
/** Azure names a Flexible Server's A record in the private zone with 12 random hex chars. */
export const aRecordName = (): string => hex(12);
