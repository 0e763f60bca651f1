// Stand-in for "@azure/functions-core", the module the real Node worker injects. @azure/functions
// registers through it; without it the library silently skips registration ("test mode").
import Module from "node:module";

/** The subset of the RPC binding metadata we read. */
export interface RpcBinding {
  type: string;
  direction: "in" | "out" | "inout" | string;
  [key: string]: unknown;
}

export interface FunctionMetadata {
  name: string;
  bindings: Record<string, RpcBinding>;
  [key: string]: unknown;
}

export type FunctionCallback = (...args: unknown[]) => unknown;

/** The programming model object @azure/functions hands to setProgrammingModel. */
export interface ProgrammingModel {
  name: string;
  version: string;
  getInvocationModel(coreCtx: unknown): InvocationModel;
}

export interface InvocationModel {
  getArguments(): Promise<{ context: unknown; inputs: unknown[] }>;
  invokeFunction(context: unknown, inputs: unknown[], callback: FunctionCallback): Promise<unknown>;
  getResponse(context: unknown, result: unknown): Promise<RpcInvocationResponse>;
}

export interface RpcTypedData {
  string?: string;
  json?: string;
  bytes?: Uint8Array;
  int?: number;
  double?: number;
  http?: RpcHttpData;
}

export interface RpcHttpData {
  method?: string;
  url?: string;
  headers?: Record<string, string>;
  query?: Record<string, string>;
  params?: Record<string, string>;
  body?: RpcTypedData | null;
  statusCode?: string;
  cookies?: unknown[];
}

export interface RpcInvocationResponse {
  invocationId: string;
  returnValue?: RpcTypedData | null;
  outputData?: { name: string; data: RpcTypedData | null | undefined }[];
}

export interface RegisteredFunction {
  metadata: FunctionMetadata;
  callback: FunctionCallback;
}

export type CoreLogSink = (level: string, category: string, message: string) => void;

/** Everything the app registered while it was loaded. */
export interface CoreCapture {
  model: ProgrammingModel | null;
  functions: Map<string, RegisteredFunction>;
  hooks: { name: string; callback: unknown }[];
}

const disposable = { dispose(): void {} };

/**
 * Makes require("@azure/functions-core") return our stand-in. Must run before the app's first
 * `app.*` call. Returns the capture and a function that removes the hook again.
 */
export function installCoreModule(log: CoreLogSink): { capture: CoreCapture; uninstall: () => void } {
  const capture: CoreCapture = { model: null, functions: new Map(), hooks: [] };
  const core = {
    version: "4.0.0-localhost",
    hostVersion: "4.0.0-localhost",
    setProgrammingModel(model: ProgrammingModel): void {
      capture.model = model;
    },
    getProgrammingModel(): ProgrammingModel | null {
      return capture.model;
    },
    registerFunction(metadata: FunctionMetadata, callback: FunctionCallback) {
      if (capture.functions.has(metadata.name)) {
        throw new Error(`A function named "${metadata.name}" is already registered.`);
      }
      capture.functions.set(metadata.name, { metadata, callback });
      return disposable;
    },
    registerHook(name: string, callback: unknown) {
      capture.hooks.push({ name, callback });
      return disposable;
    },
    log(level: string, category: string, message: string): void {
      log(level, category, message);
    },
  };
  // Module._load is not in @types/node; it is the documented-by-practice interception point.
  const mod = Module as unknown as { _load: (request: string, ...rest: unknown[]) => unknown };
  const original = mod._load;
  mod._load = function (this: unknown, request: string, ...rest: unknown[]) {
    return request === "@azure/functions-core" ? core : original.call(this, request, ...rest);
  };
  return {
    capture,
    uninstall: () => {
      mod._load = original;
    },
  };
}
