// Polls a failover's status until it ends, reporting each new audit entry and step change as it happens.
import type { FailoverApi } from "./api";
import type { FailoverView, TimelineEntry } from "./render";

export interface FollowOptions {
  intervalMs?: number;
  timeoutMs?: number;
  onEntry?: (e: TimelineEntry) => void;
  onStep?: (step: string, message: string) => void;
  /** Called once when the run waits for approval (the drill answers as the second person). */
  onAwaitingApproval?: (view: FailoverView) => Promise<void>;
}

export async function followFailover(api: FailoverApi, id: string, o: FollowOptions = {}): Promise<FailoverView> {
  const deadline = Date.now() + (o.timeoutMs ?? 300_000);
  let seen = 0;
  let lastStep = "";
  let answered = false;
  for (;;) {
    const res = await api.get<FailoverView>(`/api/failovers/${encodeURIComponent(id)}`);
    if (res.status !== 200 && res.status !== 202)
      throw new Error(`GET /api/failovers/${id} answered ${res.status}: ${JSON.stringify(res.body)}`);
    const view = res.body;
    for (const e of view.timeline.slice(seen)) o.onEntry?.(e);
    seen = view.timeline.length;
    const step = view.currentStep ? `${view.currentStep.step}: ${view.currentStep.message}` : "";
    if (step && step !== lastStep) o.onStep?.(view.currentStep!.step, view.currentStep!.message);
    lastStep = step;
    if (res.status === 200) return view;
    if (view.awaitingApproval && !answered && o.onAwaitingApproval) {
      answered = true;
      await o.onAwaitingApproval(view);
    }
    if (Date.now() > deadline)
      throw new Error(`failover ${id} did not finish within ${(o.timeoutMs ?? 300_000) / 1000}s (last step: ${step})`);
    await new Promise((r) => setTimeout(r, o.intervalMs ?? 250));
  }
}
