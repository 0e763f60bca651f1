// Files the lab writes with an exact mode: the mode option of writeFile is reduced by the umask (077 on hardened
// hosts would hide the CA and certificates from the server user), so it is set again explicitly.
import fs from "node:fs";

export function writeFileMode(file: string, data: string, mode: number): void {
  fs.writeFileSync(file, data, { mode });
  fs.chmodSync(file, mode);
}

export function mkdirMode(dir: string, mode: number): void {
  fs.mkdirSync(dir, { mode });
  fs.chmodSync(dir, mode);
}
