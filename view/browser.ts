// Debian's Chromium, headless, driven by playwright-core. Installed by .ci/run
// (apt-get install chromium); on a laptop without it the browser tests are skipped, in CI
// (WORKSHOP_REQUIRE_TOOLS=1) they must run.
import { existsSync } from "node:fs";
import { chromium, type Browser } from "playwright-core";

export const CHROMIUM = process.env.WORKSHOP_CHROMIUM ?? "/usr/bin/chromium";
export const browserAvailable = existsSync(CHROMIUM) || process.env.WORKSHOP_REQUIRE_TOOLS === "1";

/** Headless Chromium with its background networking off: this machine reaches no other host. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
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
