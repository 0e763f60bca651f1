// A temporary directory for thousands of small files (a staging tree, an unpacked package): on Linux in
// /dev/shm (memory) when it is writable, where creating them costs a fraction of what a disk file system
// charges; elsewhere in the OS temp dir.
import { accessSync, constants, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export function scratchDir(prefix: string): string {
  let base = tmpdir();
  try {
    accessSync("/dev/shm", constants.W_OK);
    base = "/dev/shm";
  } catch {
    /* not Linux, or not writable: the OS temp dir */
  }
  return mkdtempSync(join(base, prefix));
}
