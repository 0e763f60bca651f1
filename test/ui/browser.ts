// The browser the status page tests drive: Debian's Chromium through playwright-core (Playwright's own
// browser download does not work here; CI installs the chromium package). A missing Chromium fails the
// tests, never skips them. Each user gets a context of their own (cookies apart), every console error and
// page error is collected, and screenshots are kept in test-results/ui/ as test artifacts.
import { existsSync, mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { labSignInLink } from "../../local/host/lab-sign-in";
import type { Stack } from "../../local/drill/stack";

export const CHROMIUM = process.env.PGFLEX_CHROMIUM ?? "/usr/bin/chromium";
export const SCREENSHOTS = resolve(__dirname, "..", "..", "..", "test-results", "ui");

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(`no Chromium at ${CHROMIUM}: install Debian's chromium package (apt-get install chromium)`);
  // Playwright starts Chromium with a fresh temporary --user-data-dir of its own and removes it on close.
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

export interface UserPage {
  page: Page;
  /** Console errors and uncaught page errors seen so far. */
  errors: string[];
}

/** A browser of its own for `user`, signed in through the local host's lab sign-in link, on `path`. */
export async function signedIn(
  browser: Browser,
  stack: Stack,
  user: string,
  roles: string[],
  path = "/api/ui",
  setup?: (page: Page) => Promise<void>,
): Promise<UserPage> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  // A loaded machine (2 cores, other test runs) may be slow: wait on DOM conditions, generously.
  page.setDefaultTimeout(60_000);
  const errors: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(`console: ${m.text()}`);
  });
  page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
  await setup?.(page);
  const token = await stack.lab.token({ user, roles });
  await page.goto(await labSignInLink(stack.host.url, token, path));
  return { page, errors };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}
