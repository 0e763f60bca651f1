// Per-test timeouts for lab tests: Node 20's --test-timeout bounds a whole file, so a hung lab test would
// only name its file. With this option the hang fails the test by name (and its after hooks still run).
export const LAB_TEST = { timeout: Number(process.env.LAB_TEST_TIMEOUT_MS ?? 120_000) };
