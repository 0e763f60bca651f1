// Lab control over HTTP on /_lab/... (a path the Azure SDKs never use; same bearer token):
// faults, the ARM request log, regions down/up, ARM throttling, and the LabInfo.
import { ArmError, badRequest } from "./errors";
import type { Routes } from "./router";
import { FaultSpecError, type Faults, type FaultSpec } from "../faults";
import type { ArmRequestRecord } from "./arm-server";
import { ThrottleSpecError, type ArmThrottle, type ThrottleSpec } from "./throttle";

export interface LabControl {
  faults: Faults;
  requests(): ArmRequestRecord[];
  clearRequests(): void;
  regionDown(region: string): Promise<void>;
  regionUp(region: string): Promise<void>;
  throttle: Pick<ArmThrottle, "set" | "state">;
  info(): unknown;
}

export function labRoutes(c: LabControl): Routes {
  return async (req) => {
    const [, what, id, action] = req.lower;
    const rawId = req.segs[2]; // fault ids and region names as sent
    const m = req.method;
    if (what === "faults" && id === undefined) {
      if (m === "GET") return { status: 200, body: { value: c.faults.list() } };
      if (m === "DELETE") {
        c.faults.clear();
        return { status: 204 };
      }
      if (m === "POST") {
        const specs = Array.isArray(req.body) ? req.body : [req.body];
        try {
          return { status: 201, body: { value: specs.map((s) => c.faults.add(s as FaultSpec)) } };
        } catch (e) {
          if (e instanceof FaultSpecError) throw badRequest("InvalidFault", e.message);
          throw e;
        }
      }
    }
    if (what === "faults" && rawId !== undefined && m === "DELETE") {
      c.faults.clear(rawId);
      return { status: 204 };
    }
    if (what === "requests" && m === "GET") return { status: 200, body: { value: c.requests() } };
    if (what === "requests" && m === "DELETE") {
      c.clearRequests();
      return { status: 204 };
    }
    if (what === "regions" && rawId && (action === "down" || action === "up") && m === "POST") {
      await (action === "down" ? c.regionDown(rawId) : c.regionUp(rawId));
      return { status: 200, body: { region: rawId, state: action } };
    }
    if (what === "throttle" && id === undefined) {
      if (m === "GET") return { status: 200, body: c.throttle.state() };
      if (m === "DELETE") {
        c.throttle.set(false);
        return { status: 200, body: c.throttle.state() };
      }
      if (m === "PUT") {
        // An empty body or true: ARM's limits; an object replaces some of them.
        try {
          c.throttle.set((req.body ?? true) as ThrottleSpec);
        } catch (e) {
          if (e instanceof ThrottleSpecError) throw badRequest("InvalidThrottle", e.message);
          throw e;
        }
        return { status: 200, body: c.throttle.state() };
      }
    }
    if (what === "info" && m === "GET") return { status: 200, body: c.info() };
    throw new ArmError(404, "NotFound", `Unknown lab control path ${m} ${req.path}.`);
  };
}
