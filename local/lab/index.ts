// Public entry point of the two-region lab.
export { startLab, type Lab } from "./lab";
export type { LabInfo, LabOptions, LabPart, ServerInfo, ServerKey, Region } from "./types";
export type { Fault, FaultSpec, FaultMatch } from "./faults";
export type { ArmRequestRecord } from "./arm/arm-server";
export type { RecordSet, RecordType } from "./zone-store";
