// Test helper: npm run view's page for one stream of the test's emulator, open in headless
// Chromium, with every script error the page raises collected. Close it in afterAll.
import type { Browser, Page } from "playwright-core";
import * as lesson01 from "../01-make-a-stream/main.js";
import type { LayerStats } from "../local/stats.js";
import { launchBrowser } from "../view/browser.js";
import { viewClients } from "../view/clients.js";
import { ViewCollector } from "../view/collect.js";
import { type RunningView, startViewServer } from "../view/server.js";
import { localOptions, type TestEmulator } from "./emulator.js";

export interface OpenView {
  view: RunningView;
  browser: Browser;
  page: Page;
  /** Script errors and console errors the page raised. */
  problems: string[];
  close(): Promise<void>;
}

export async function openView(emulator: TestEmulator, stream: string): Promise<OpenView> {
  const options = localOptions(lesson01.lesson, emulator, stream);
  const layerStats = async () => (await (await fetch(`${emulator.endpoint}/_workshop/stats`)).json()) as LayerStats;
  const collector = new ViewCollector(options, viewClients(options), layerStats);
  const view = await startViewServer(0, () => collector.snapshot(), { announce: false });
  const browser = await launchBrowser();
  const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  const problems: string[] = [];
  page.on("pageerror", (error) => problems.push(String(error)));
  page.on("console", (message) => message.type() === "error" && problems.push(message.text()));
  await page.goto(view.url);
  await page.waitForSelector("body[data-updated]");
  return {
    view,
    browser,
    page,
    problems,
    async close() {
      await browser.close();
      await view.close();
    },
  };
}
