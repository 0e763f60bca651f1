// The package under test: the one `npm run package` left in dist/ when it was built from exactly these inputs
// (same app files, same .funcignore), otherwise a new one built now.
import { existsSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { buildPackage, inputStamp, PACKAGE_NAME, recordedStamp } from "../../local/package/build";
import { appFiles } from "../../local/package/contents";
import { listZip, type ZipEntryInfo } from "../../local/package/zip";

/** The repository root (this file runs from dist/test/package). */
export const ROOT = resolve(__dirname, "..", "..", "..");

export interface TestedPackage {
  zipFile: string;
  bytes: number;
  entries: ZipEntryInfo[];
  /** Compiled files without a source (left out of the package; `func publish` would ship them). */
  stale: string[];
  reused: boolean;
}

export async function freshPackage(): Promise<TestedPackage> {
  const zipFile = join(ROOT, "dist", PACKAGE_NAME);
  const app = appFiles(ROOT);
  const reused = existsSync(zipFile) && recordedStamp(zipFile) === inputStamp(ROOT, app.files);
  if (!reused) await buildPackage({ root: ROOT, outFile: zipFile });
  return { zipFile, bytes: statSync(zipFile).size, entries: await listZip(zipFile), stale: app.stale, reused };
}
