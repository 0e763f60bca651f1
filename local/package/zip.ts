// A plain zip (deflate, "/" separators, regular files only, Unix modes kept) as Azure's zip deploy takes it:
// written with yazl, read back with yauzl (which refuses absolute paths, "..", and malformed archives).
import { createWriteStream, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { pipeline } from "node:stream/promises";
import * as yauzl from "yauzl";
import { ZipFile } from "yazl";

export interface ZipEntryInfo {
  name: string;
  size: number;
  /** Unix mode from the external attributes (0 when the archive was not made on Unix). */
  mode: number;
  directory: boolean;
}

/** Zips `files` (relative "/" paths under baseDir, in this order) into outFile, atomically; returns its size. */
export async function writeZip(baseDir: string, files: string[], outFile: string): Promise<number> {
  mkdirSync(dirname(outFile), { recursive: true });
  const partial = `${outFile}.partial`;
  const zip = new ZipFile();
  for (const f of files) zip.addFile(join(baseDir, f), f, { compress: true });
  zip.end();
  try {
    await pipeline(zip.outputStream, createWriteStream(partial));
    renameSync(partial, outFile);
  } finally {
    rmSync(partial, { force: true });
  }
  return statSync(outFile).size;
}

const entryInfo = (e: yauzl.Entry): ZipEntryInfo => ({
  name: e.fileName,
  size: e.uncompressedSize,
  mode: (e.externalFileAttributes >>> 16) & 0o177777,
  directory: e.fileName.endsWith("/"),
});

/** Every entry of a zip, in archive order. */
export async function listZip(file: string): Promise<ZipEntryInfo[]> {
  const zip = await yauzl.openPromise(file, { lazyEntries: true });
  const out: ZipEntryInfo[] = [];
  try {
    for await (const e of entries(zip)) out.push(entryInfo(e));
  } finally {
    zip.close();
  }
  return out;
}

/**
 * Unpacks a zip into destDir (created); returns its entries. The archive is read into memory and each file
 * written with one synchronous call: with thousands of small files the file system, not inflating, is the cost.
 */
export async function unzip(file: string, destDir: string): Promise<ZipEntryInfo[]> {
  const zip = await yauzl.fromBufferPromise(readFileSync(file), { lazyEntries: true });
  const out: ZipEntryInfo[] = [];
  const made = new Set<string>();
  const mkdir = (dir: string) => {
    if (!made.has(dir)) mkdirSync(dir, { recursive: true });
    made.add(dir);
  };
  for await (const e of entries(zip)) {
    const info = entryInfo(e);
    out.push(info);
    const target = join(destDir, e.fileName);
    if (info.directory) {
      mkdir(target);
      continue;
    }
    mkdir(dirname(target));
    const chunks: Buffer[] = [];
    for await (const chunk of await zip.openReadStreamPromise(e)) chunks.push(chunk as Buffer);
    writeFileSync(target, Buffer.concat(chunks), { mode: info.mode & 0o777 || 0o644 });
  }
  return out;
}

/** yauzl's lazy entries as an async iterator (one entry read at a time). */
async function* entries(zip: yauzl.ZipFile): AsyncGenerator<yauzl.Entry> {
  for (;;) {
    const next = await new Promise<yauzl.Entry | null>((resolve, reject) => {
      const onEntry = (e: yauzl.Entry) => done(() => resolve(e));
      const onEnd = () => done(() => resolve(null));
      const onError = (err: Error) => done(() => reject(err));
      const done = (then: () => void) => {
        zip.off("entry", onEntry).off("end", onEnd).off("error", onError);
        then();
      };
      zip.once("entry", onEntry).once("end", onEnd).once("error", onError);
      zip.readEntry();
    });
    if (!next) return;
    yield next;
  }
}
