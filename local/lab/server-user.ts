// The unprivileged OS user the PostgreSQL servers run as when the lab runs as root (initdb refuses root).
import { execFileSync } from "node:child_process";
import type { Ids } from "./access";

export const SERVER_USER = "postgres";

/** uid/gid of the server user, created (system user, no home, no login shell) if missing. */
export function ensureServerUser(): Ids {
  const id = (flag: string): number =>
    Number(
      execFileSync("id", [flag, SERVER_USER], { stdio: ["ignore", "pipe", "ignore"] })
        .toString()
        .trim(),
    );
  try {
    return { uid: id("-u"), gid: id("-g") };
  } catch {
    execFileSync(
      "useradd",
      ["--system", "--no-create-home", "--shell", "/usr/sbin/nologin", "--user-group", SERVER_USER],
      { stdio: "ignore" },
    );
    return { uid: id("-u"), gid: id("-g") };
  }
}
