// Runs one of the bench's scripts in its own Node process and reads the JSON line it prints (the straight-line
// failover runs apart from the lab, as the app does; replay is timed in a process that loaded nothing else).
import { execFile } from "node:child_process";
import path from "node:path";

export function runScript<T>(script: string, args: string[], timeoutMs = 180_000): Promise<T> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [path.join(__dirname, script), ...args],
      { timeout: timeoutMs, maxBuffer: 16 << 20 },
      (err, stdout, stderr) => {
        if (err) return reject(new Error(`${script} failed: ${err.message}\n${stderr}`));
        const line = stdout.trim().split("\n").pop() ?? "";
        try {
          resolve(JSON.parse(line) as T);
        } catch {
          reject(new Error(`${script} printed no JSON: ${stdout}\n${stderr}`));
        }
      },
    );
  });
}
