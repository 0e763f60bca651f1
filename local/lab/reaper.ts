// Watchdog run as a detached process: if the lab process dies without stop() (SIGKILL, crash), stop the
// PostgreSQL servers (SIGQUIT = immediate shutdown), kill Azurite, and remove the lab directory.
// Usage: node reaper.js <parentPid> <stateFile>. The lab rewrites the state file as things start,
// and kills the reaper (by pid) after a normal stop.
import fs from "node:fs";
import path from "node:path";

export interface ReaperState {
  dir: string;
  dataDirs: string[];
  pids: number[];
  keepDir?: boolean;
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
};

function postmasterPid(dataDir: string): number | undefined {
  try {
    const pid = Number(fs.readFileSync(path.join(dataDir, "postmaster.pid"), "utf8").split("\n")[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

async function reap(stateFile: string): Promise<void> {
  let state: ReaperState;
  try {
    state = JSON.parse(fs.readFileSync(stateFile, "utf8")) as ReaperState;
  } catch {
    return;
  }
  const victims: number[] = [];
  for (const d of state.dataDirs) {
    const pid = postmasterPid(d);
    if (pid && alive(pid)) {
      try {
        process.kill(pid, "SIGQUIT");
        victims.push(pid);
      } catch {
        /* gone */
      }
    }
  }
  for (const pid of state.pids)
    if (alive(pid)) {
      try {
        process.kill(pid, "SIGKILL");
        victims.push(pid);
      } catch {
        /* gone */
      }
    }
  const deadline = Date.now() + 10_000;
  while (victims.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  for (const pid of victims.filter(alive)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      /* gone */
    }
  }
  if (!state.keepDir) fs.rmSync(state.dir, { recursive: true, force: true });
}

function main(): void {
  const parent = Number(process.argv[2]);
  const stateFile = process.argv[3];
  if (!parent || !stateFile) process.exit(2);
  process.on("SIGINT", () => undefined); // a terminal Ctrl-C is the lab's to handle
  const timer = setInterval(() => {
    if (alive(parent)) return;
    clearInterval(timer);
    void reap(stateFile).finally(() => process.exit(0));
  }, 250);
}

if (require.main === module) void main();
