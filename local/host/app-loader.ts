// Loads the compiled app through the functions-core stand-in and captures its registrations.
import { installCoreModule, type CoreLogSink } from "./core-module";
import { buildRegistry, type Registry } from "./registry";
import { resolveMainFiles } from "./config";
import type { CoreCapture } from "./core-module";

export interface LoadedApp {
  files: string[];
  capture: CoreCapture;
  registry: Registry;
}

/** Loads the app once per process (Node caches modules and @azure/functions caches the core API). */
export function loadApp(appDir: string, log: CoreLogSink): LoadedApp {
  const files = resolveMainFiles(appDir);
  if (files.length === 0) throw new Error(`package.json main in ${appDir} matches no files; build the app first.`);
  // The hook stays installed: the library may require the core module lazily (hooks, logging).
  const { capture } = installCoreModule(log);
  for (const f of files) {
    try {
      // The app is loaded the way the Node worker loads it: a CommonJS require of each main file.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      require(f);
    } catch (err) {
      throw new Error(`Loading ${f} failed: ${(err as Error).stack ?? String(err)}`, { cause: err });
    }
  }
  if (capture.functions.size === 0) {
    throw new Error(
      `The app in ${appDir} registered no functions (loaded: ${files.join(", ")}). Does it call app.http / df.app.* at load time?`,
    );
  }
  if (!capture.model)
    throw new Error("The app registered functions but set no programming model; is @azure/functions v4 installed?");
  return { files, capture, registry: buildRegistry(capture) };
}
