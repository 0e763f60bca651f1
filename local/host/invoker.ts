// Invokes a registered function the way the Node worker does: through @azure/functions'
// programming model (getInvocationModel -> getArguments -> invokeFunction -> getResponse).
import { randomUUID } from "node:crypto";
import type { CoreCapture, RpcInvocationResponse, RpcTypedData } from "./core-module";
import type { Logger } from "./log";

export interface InputBinding {
  name: string;
  data: RpcTypedData;
}

export class FunctionTimeoutError extends Error {}

export interface Invoker {
  invoke(functionName: string, inputData: InputBinding[], timeoutMs?: number | null): Promise<RpcInvocationResponse>;
}

const formatTimeSpan = (ms: number): string => {
  const s = Math.floor(ms / 1000);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${pad(Math.floor(s / 3600))}:${pad(Math.floor(s / 60) % 60)}:${pad(s % 60)}${ms % 1000 ? `.${String(ms % 1000).padStart(3, "0")}` : ""}`;
};

export function createInvoker(capture: CoreCapture, logger: Logger): Invoker {
  return {
    async invoke(functionName, inputData, timeoutMs) {
      const fn = capture.functions.get(functionName);
      if (!fn)
        throw new Error(
          `The function '${functionName}' doesn't exist, is disabled, or is not an activity/orchestrator function.`,
        );
      const model = capture.model;
      if (!model) throw new Error("The app did not set a programming model (is @azure/functions loaded?).");
      const invocationId = randomUUID();
      const coreCtx = {
        invocationId,
        metadata: fn.metadata,
        request: { invocationId, functionId: functionName, inputData, triggerMetadata: {} },
        state: "invocation",
        log: (level: string, category: string, msg: string) => logger.app(functionName, invocationId, level, msg),
      };
      const inv = model.getInvocationModel(coreCtx);
      const run = (async () => {
        const { context, inputs } = await inv.getArguments();
        const result = await inv.invokeFunction(context, inputs, fn.callback);
        return inv.getResponse(context, result);
      })();
      if (!timeoutMs) return run;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new FunctionTimeoutError(
                `Timeout value of ${formatTimeSpan(timeoutMs)} was exceeded by function: Functions.${functionName}`,
              ),
            ),
          timeoutMs,
        );
      });
      // The timed-out invocation keeps running (JS cannot cancel it); its result is ignored.
      run.catch(() => undefined);
      try {
        return await Promise.race([run, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** Converts an RPC return value to the JSON text Durable stores (TaskCompleted.Result etc.). */
export function typedDataToJson(t: RpcTypedData | null | undefined): string | null {
  if (t == null) return null;
  if (t.json !== undefined) return t.json;
  if (t.string !== undefined) return JSON.stringify(t.string);
  if (t.int !== undefined) return JSON.stringify(t.int);
  if (t.double !== undefined) return JSON.stringify(t.double);
  if (t.bytes !== undefined) return JSON.stringify(Buffer.from(t.bytes).toString("base64"));
  return null;
}
