// Whether a process still runs, for the lab and its tests: a zombie (exited, not yet reaped by its parent) does not.
import fs from "node:fs";

/** True while the process exists and is not a zombie. */
export function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

/** Resolves once the process no longer runs, or after `ms`. */
export async function processGone(pid: number, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (running(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
}
