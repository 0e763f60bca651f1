// Crash-safe file replacement: write a temp file, fsync it, rename over the target, fsync the dir.
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, writeSync } from "node:fs";
import { open, rename, rm } from "node:fs/promises";
import { dirname } from "node:path";

let counter = 0;
const tempName = (file: string) => `${file}.${process.pid}.${counter++}.tmp`;

export function writeFileAtomic(file: string, data: string): void {
  const dir = dirname(file);
  mkdirSync(dir, { recursive: true });
  const tmp = tempName(file);
  const fd = openSync(tmp, "w", 0o600);
  try {
    writeSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
  // The rename itself is only durable once the directory entry is flushed.
  fsyncDirSync(dir);
}

function fsyncDirSync(dir: string): void {
  const dfd = openSync(dir, "r");
  try {
    fsyncSync(dfd);
  } finally {
    closeSync(dfd);
  }
}

/**
 * The same replacement off the event loop (libuv's thread pool), WITHOUT the directory's fsync: a caller that
 * replaces several files in one directory flushes the directory once for all of them (`fsyncDir`).
 */
export async function replaceFile(file: string, data: string): Promise<void> {
  const tmp = tempName(file);
  const fh = await open(tmp, "w", 0o600);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, file);
}

export async function removeFile(file: string): Promise<void> {
  await rm(file, { force: true });
}

export async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, "r");
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
