// One table of the activities of every orchestration: each one's function name, input and output. Registration and
// the orchestrator's calls both go through it, so a mismatch between them is a compile error.
import type {
  ClaimPairInput,
  ClaimPairResult,
  PlanEvacuationInput,
  ReadDecisionInput,
  ReadDecisionResult,
  PlanEvacuationResult,
  ConfirmDownInput,
  ConfirmDownResult,
  CatchUpInput,
  CatchUpResult,
  FenceByArmInput,
  FenceByArmResult,
  FenceInput,
  FenceResult,
  LiftFenceInput,
  LiftFenceResult,
  WatchFenceInput,
  WatchFenceResult,
  CheckPromotionInput,
  CheckPromotionResult,
  LowerTtlInput,
  PreflightInput,
  PreflightResult,
  PromoteInput,
  PromoteResult,
  RecordEventInput,
  RepointInput,
  RepointResult,
  RestoreTtlInput,
  RunRef,
  TtlResult,
  VerifyInput,
  VerifyResult,
} from "./contracts";
import type {
  CheckOperationInput,
  CheckOperationResult,
  CheckReplicaInput,
  CheckReplicaResult,
  CreateReplicaInput,
  CreateReplicaResult,
  JoinPairInput,
  JoinPairResult,
  PlanReprotectInput,
  PlanReprotectResult,
  RetireServerInput,
  RetireServerResult,
} from "./reprotect-contracts";

export interface ActivitySignatures {
  preflight(input: PreflightInput): PreflightResult;
  confirmDown(input: ConfirmDownInput): ConfirmDownResult;
  lowerTtl(input: LowerTtlInput): TtlResult;
  fence(input: FenceInput): FenceResult;
  liftFence(input: LiftFenceInput): LiftFenceResult;
  fenceByArm(input: FenceByArmInput): FenceByArmResult;
  checkCatchUp(input: CatchUpInput): CatchUpResult;
  promote(input: PromoteInput): PromoteResult;
  checkPromotion(input: CheckPromotionInput): CheckPromotionResult;
  repointCname(input: RepointInput): RepointResult;
  verify(input: VerifyInput): VerifyResult;
  restoreTtl(input: RestoreTtlInput): TtlResult;
  watchFence(input: WatchFenceInput): WatchFenceResult;
  recordEvent(input: RecordEventInput): void;
  readDecision(input: ReadDecisionInput): ReadDecisionResult;
  releaseLease(input: RunRef): void;
  planEvacuation(input: PlanEvacuationInput): PlanEvacuationResult;
  claimPair(input: ClaimPairInput): ClaimPairResult;
  planReprotect(input: PlanReprotectInput): PlanReprotectResult;
  createReplica(input: CreateReplicaInput): CreateReplicaResult;
  checkReplica(input: CheckReplicaInput): CheckReplicaResult;
  joinPair(input: JoinPairInput): JoinPairResult;
  retireServer(input: RetireServerInput): RetireServerResult;
  checkOperation(input: CheckOperationInput): CheckOperationResult;
}

export type ActivityKey = keyof ActivitySignatures;
export type ActivityInput<K extends ActivityKey> = Parameters<ActivitySignatures[K]>[0];
export type ActivityOutput<K extends ActivityKey> = ReturnType<ActivitySignatures[K]>;
/** What the orchestrator passes: the input without the run reference it adds itself. */
export type ActivityArgs<K extends ActivityKey> = Omit<ActivityInput<K>, keyof RunRef>;
export type ActivityImpls = { [K in ActivityKey]: (input: ActivityInput<K>) => Promise<ActivityOutput<K>> };

/** Function names as registered with the Functions host (stable: they are recorded in durable histories). */
export const ACTIVITY_NAMES: { readonly [K in ActivityKey]: string } = {
  preflight: "failover-preflight",
  confirmDown: "failover-confirmDown",
  lowerTtl: "failover-lowerTtl",
  fence: "failover-fence",
  liftFence: "failover-liftFence",
  fenceByArm: "failover-fenceByArm",
  checkCatchUp: "failover-checkCatchUp",
  promote: "failover-promote",
  checkPromotion: "failover-checkPromotion",
  repointCname: "failover-repointCname",
  verify: "failover-verify",
  restoreTtl: "failover-restoreTtl",
  watchFence: "failover-watchFence",
  recordEvent: "failover-recordEvent",
  readDecision: "run-readDecision",
  releaseLease: "failover-releaseLease",
  planEvacuation: "evacuation-plan",
  claimPair: "evacuation-claimPair",
  planReprotect: "reprotect-plan",
  createReplica: "reprotect-createReplica",
  checkReplica: "reprotect-checkReplica",
  joinPair: "reprotect-joinPair",
  retireServer: "reprotect-retireServer",
  checkOperation: "reprotect-checkOperation",
};

export const ORCHESTRATION = { failover: "failover", evacuation: "evacuation", reprotect: "reprotect" } as const;
