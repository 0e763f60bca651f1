/** A configuration problem, reported at start-up with every offending setting named. */
export class ConfigError extends Error {
  readonly code = "InvalidConfiguration";
  constructor(readonly problems: string[]) {
    super(`pgflex-failover configuration is invalid:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}
