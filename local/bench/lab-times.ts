// How long the lab takes to start and to stop with a given number of pairs (everything: certificates,
// PostgreSQL, DNS, ARM, token issuer, Azurite, reaper).
import { startLab } from "../lab";

export interface LabTimes {
  pairs: number;
  startSeconds: number;
  stopSeconds: number;
}

export async function labTimes(pairs: number): Promise<LabTimes> {
  let t = performance.now();
  const lab = await startLab({ pairs });
  const startSeconds = (performance.now() - t) / 1000;
  t = performance.now();
  await lab.stop();
  return { pairs, startSeconds, stopSeconds: (performance.now() - t) / 1000 };
}
