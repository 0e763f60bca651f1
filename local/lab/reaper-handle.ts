// The lab's side of the reaper (reaper.ts): spawn it detached, keep its state file current as parts start,
// and kill it after a normal stop.
import fs from "node:fs";
import path from "node:path";
import { spawn } from "node:child_process";
import type { ReaperState } from "./reaper";

export interface ReaperHandle {
  pid?: number;
  watchDataDir(dataDir: string): void;
  forgetDataDir(dataDir: string): void;
  watchPid(pid: number): void;
  stop(): void;
}

export function startReaper(dir: string, keepDir: boolean | undefined): ReaperHandle {
  const state: ReaperState = { dir, dataDirs: [], pids: [], keepDir };
  const stateFile = path.join(dir, "reaper.json");
  const save = (): void => fs.writeFileSync(stateFile, JSON.stringify(state));
  save();
  const reaperJs = path.join(__dirname, "reaper.js");
  // Absent when the lab runs from TypeScript sources: then nothing reaps a SIGKILLed lab.
  const child = fs.existsSync(reaperJs)
    ? spawn(process.execPath, [reaperJs, String(process.pid), stateFile], { detached: true, stdio: "ignore" })
    : undefined;
  child?.unref();
  return {
    pid: child?.pid,
    watchDataDir: (d) => {
      state.dataDirs.push(d);
      save();
    },
    forgetDataDir: (d) => {
      state.dataDirs = state.dataDirs.filter((x) => x !== d);
      save();
    },
    watchPid: (pid) => {
      state.pids.push(pid);
      save();
    },
    stop: () => {
      if (child?.pid === undefined) return;
      try {
        process.kill(child.pid, "SIGTERM");
      } catch {
        /* already gone */
      }
    },
  };
}
