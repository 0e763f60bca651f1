/** Activity function names, shared by their registration and the orchestrator. */
export const ACTIVITY = {
  preflight: "failover-preflight",
  lowerTtl: "failover-lowerTtl",
  promote: "failover-promote",
  checkPromotion: "failover-checkPromotion",
  repointCname: "failover-repointCname",
  verify: "failover-verify",
  restoreTtl: "failover-restoreTtl",
  recordEvent: "failover-recordEvent",
} as const;

export const ORCHESTRATION = { failover: "failover" } as const;
