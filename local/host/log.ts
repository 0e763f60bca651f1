// Host log lines are prefixed "[host]"; app lines carry the function name and invocation id.
export interface Logger {
  host(message: string): void;
  hostError(message: string): void;
  app(functionName: string, invocationId: string, level: string, message: string): void;
}

export function createLogger(opts: { quiet?: boolean; write?: (line: string) => void } = {}): Logger {
  const write = opts.write ?? ((line: string) => process.stdout.write(line + "\n"));
  return {
    host: (m) => {
      if (!opts.quiet) write(`[host] ${m}`);
    },
    hostError: (m) => write(`[host] ERROR ${m}`),
    app: (fn, id, level, m) => {
      if (!opts.quiet) write(`[${fn}:${id}] ${level === "information" ? "" : `${level}: `}${m}`);
    },
  };
}
