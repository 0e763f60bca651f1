// Classifies captured registrations into HTTP triggers, orchestrators, activities and timers.
import type { CoreCapture, FunctionCallback, FunctionMetadata, RpcBinding } from "./core-module";
import { FunctionNameMap, sameFunctionName } from "./function-names";
import { compileRoute, type CompiledRoute } from "./routes";

export type AuthLevel = "anonymous" | "function" | "admin";

export interface HttpFunction {
  name: string;
  triggerBinding: string;
  methods: string[] | null; // null: any method
  authLevel: AuthLevel;
  route: CompiledRoute;
  clientBinding: string | null;
}

export interface DurableFunction {
  name: string;
  triggerBinding: string;
  clientBinding: string | null;
}

export interface TimerFunction {
  name: string;
  triggerBinding: string;
  /** As registered: NCRONTAB, TimeSpan, or with %SETTING% references (resolved at start). */
  schedule: string;
  runOnStartup: boolean;
  /** Default true, as in the Functions host's timer binding. */
  useMonitor: boolean;
}

export interface Registry {
  metadata: Map<string, FunctionMetadata>;
  callbacks: Map<string, FunctionCallback>;
  http: HttpFunction[];
  /** Looked up case-insensitively, as the Durable extension does. */
  orchestrators: FunctionNameMap<DurableFunction>;
  activities: FunctionNameMap<DurableFunction>;
  timers: TimerFunction[];
  /** Functions with triggers the host cannot drive (queue, blob, ...): listed, never invoked. */
  unsupported: { name: string; type: string }[];
}

const findBinding = (bindings: Record<string, RpcBinding>, type: string): string | null =>
  Object.entries(bindings).find(([, b]) => b.type === type)?.[0] ?? null;

function parseAuthLevel(value: unknown, fn: string): AuthLevel {
  const v = String(value ?? "function").toLowerCase();
  if (v === "anonymous" || v === "function" || v === "admin") return v;
  throw new Error(`Function "${fn}" has an unknown authLevel "${String(value)}".`);
}

export function buildRegistry(capture: CoreCapture): Registry {
  const reg: Registry = {
    metadata: new Map(),
    callbacks: new Map(),
    http: [],
    orchestrators: new FunctionNameMap(),
    activities: new FunctionNameMap(),
    timers: [],
    unsupported: [],
  };
  for (const [name, { metadata, callback }] of capture.functions) {
    reg.metadata.set(name, metadata);
    reg.callbacks.set(name, callback);
    const b = metadata.bindings;
    const client = findBinding(b, "durableClient") ?? findBinding(b, "orchestrationClient");
    const httpTrigger = findBinding(b, "httpTrigger");
    const orch = findBinding(b, "orchestrationTrigger");
    const act = findBinding(b, "activityTrigger");
    const timer = findBinding(b, "timerTrigger");
    if (httpTrigger) {
      const t = b[httpTrigger]!;
      const methods = Array.isArray(t.methods) ? (t.methods as string[]).map((m) => m.toUpperCase()) : null;
      const template = typeof t.route === "string" && t.route !== "" ? t.route : name;
      reg.http.push({
        name,
        triggerBinding: httpTrigger,
        methods: methods && methods.length > 0 ? methods : null,
        authLevel: parseAuthLevel(t.authLevel, name),
        route: compileRoute(template),
        clientBinding: client,
      });
    } else if (orch) {
      reg.orchestrators.set(name, { name, triggerBinding: orch, clientBinding: client });
    } else if (act) {
      reg.activities.set(name, { name, triggerBinding: act, clientBinding: client });
    } else if (timer) {
      const t = b[timer]!;
      if (typeof t.schedule !== "string" || t.schedule.trim() === "")
        throw new Error(`Timer function "${name}" has no schedule.`);
      reg.timers.push({
        name,
        triggerBinding: timer,
        schedule: t.schedule,
        runOnStartup: t.runOnStartup === true,
        useMonitor: t.useMonitor !== false,
      });
    } else {
      const trig = Object.values(b).find((x) => x.type.toLowerCase().endsWith("trigger"));
      reg.unsupported.push({ name, type: trig?.type ?? "unknown" });
    }
  }
  // Literal segments beat parameters, as in ASP.NET routing: sort most specific first.
  reg.http.sort((a, b) => b.route.specificity - a.route.specificity);
  return reg;
}

/** The registered name of any function, matched case-insensitively (as the admin API does), or null. */
export function findFunctionName(reg: Registry, name: string): string | null {
  return [...reg.metadata.keys()].find((n) => sameFunctionName(n, name)) ?? null;
}
