// What the figures were measured on: cores, CPU model, memory, Node and the OS, and how loaded it was.
import fs from "node:fs";
import os from "node:os";

export interface Machine {
  nproc: number;
  cpu: string;
  memGiB: number;
  node: string;
  platform: string;
  /** 1-minute load average when the bench started and ended (other work on the machine shows here). */
  loadavg: { start: number; end?: number };
}

export function machine(): Machine {
  return {
    nproc: os.availableParallelism(),
    cpu: cpuModel(),
    memGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    loadavg: { start: os.loadavg()[0] ?? 0 },
  };
}

function cpuModel(): string {
  try {
    const line = fs
      .readFileSync("/proc/cpuinfo", "utf8")
      .split("\n")
      .find((l) => l.startsWith("model name"));
    if (line) return line.split(":").slice(1).join(":").trim();
  } catch {
    /* not Linux */
  }
  return os.cpus()[0]?.model ?? "unknown";
}
