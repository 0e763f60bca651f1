// What a lab start has started, to stop on stop() or when the start fails part-way. Stages stop in reverse
// order (services, then the reaper, then the directory); the parts of one stage stop in parallel.
export class Cleanups {
  private stages: (() => unknown)[][] = [[]];

  add(fn: () => unknown): void {
    this.stages[this.stages.length - 1]?.push(fn);
  }

  /** Later additions stop before everything added so far. */
  nextStage(): void {
    this.stages.push([]);
  }

  /** Runs every cleanup once; failures do not stop the others. */
  async run(): Promise<void> {
    for (const stage of this.stages.splice(0).reverse()) await Promise.allSettled(stage.map(async (fn) => fn()));
    this.stages = [[]];
  }
}
