// Function names as the Durable extension compares them: FunctionName.Equals is
// StringComparison.OrdinalIgnoreCase, so "Echo", "echo" and "ECHO" name the same activity.

const fold = (name: string): string => name.toUpperCase();

export const sameFunctionName = (a: string, b: string): boolean => fold(a) === fold(b);

/** A map keyed by function name, case-insensitively; it keeps the registered spelling. */
export class FunctionNameMap<T> {
  private readonly entries = new Map<string, { name: string; value: T }>();

  /** Registers `name`; a name that differs from a registered one only in case is refused. */
  set(name: string, value: T): void {
    const existing = this.entries.get(fold(name));
    if (existing)
      throw new Error(
        `Functions '${existing.name}' and '${name}' differ only in case; the Durable extension matches names case-insensitively.`,
      );
    this.entries.set(fold(name), { name, value });
  }

  get(name: string): T | undefined {
    return this.entries.get(fold(name))?.value;
  }

  has(name: string): boolean {
    return this.entries.has(fold(name));
  }

  /** The registered spellings, in registration order. */
  names(): string[] {
    return [...this.entries.values()].map((e) => e.name);
  }

  get size(): number {
    return this.entries.size;
  }
}
