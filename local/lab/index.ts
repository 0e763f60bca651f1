// Public entry point of the two-region lab.
export { startLab, type Lab } from "./lab";
export type { IdentityInfo, LabInfo, LabOptions, LabPart, ServerInfo, ServerKey, Region } from "./types";
export { TokenRequestError, type TokenRequest } from "./identity/token-request";
export type { UserIds } from "./identity/claims";
export type { Fault, FaultSpec, FaultMatch } from "./faults";
export type { ArmRequestRecord } from "./arm/arm-server";
export type { RecordSet, RecordType } from "./zone-store";
