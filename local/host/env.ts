// Applies local settings `Values` to process.env the way `func start` does: a variable that is
// already set in the environment wins, and the skip is reported (without the value).
export function applySettings(
  values: Record<string, string>,
  env: NodeJS.ProcessEnv,
  report: (msg: string) => void,
): void {
  for (const [k, v] of Object.entries(values)) {
    if (env[k] !== undefined && env[k] !== "") {
      if (env[k] !== v) report(`skipping '${k}' from local settings as it is already defined in the environment`);
      continue;
    }
    env[k] = v;
  }
}
