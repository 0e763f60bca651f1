#!/usr/bin/env node
// `npm run package`: builds dist/pgflex-failover.zip, the package `az functionapp deployment source config-zip`
// (or `azd deploy`) uploads. Run after `npm run build` (the npm script does both).
import { resolve } from "node:path";
import { buildPackage } from "./build";

const root = resolve(__dirname, "..", "..", "..");
buildPackage({ root, log: (line) => process.stdout.write(`package: ${line}\n`) }).catch((err: unknown) => {
  process.stderr.write(`package: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
