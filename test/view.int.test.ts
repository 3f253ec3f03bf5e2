// npm run view in a real browser (headless Chromium): the page follows the stream as
// lessons 02 and 04 run against a MiniStack of the test's own.
import { request } from "node:http";
import { mkdirSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as lesson01 from "../01-make-a-stream/main.js";
import * as lesson02 from "../02-produce-data/main.js";
import * as lesson04 from "../04-kcl-consumer/main.js";
import { WORKSHOP_DIR } from "../shared/paths.js";
import type { RunningView } from "../view/server.js";
import { browserAvailable } from "../view/browser.js";
import { localOptions, useTestEmulator } from "./emulator.js";
import { type OpenView, openView } from "./view-page.js";

const testEmulator = useTestEmulator();
const STREAM = "watched";
let view: RunningView;
let shown: OpenView;
let page: Page;

/** The records total the page shows for a shard. */
const shownTotal = (shardId: string) => page.getAttribute(`[data-shard-total="${shardId}"]`, "data-value").then(Number);

describe.skipIf(!browserAvailable)("npm run view in Chromium", () => {
  beforeAll(async () => {
    await lesson01.main(localOptions(lesson01.lesson, testEmulator.current, STREAM, "--shards", "2"));
    shown = await openView(testEmulator.current, STREAM);
    ({ view, page } = shown);
  });
  afterAll(() => shown?.close());

  it("shows each shard's total reach what lesson 02 put there, within 5 s", async () => {
    const put = await lesson02.main(localOptions(lesson02.lesson, testEmulator.current, STREAM, "--count", "2000"));
    const deadline = Date.now() + 5000;
    const wanted = Object.entries(put.perShard);
    expect(wanted).toHaveLength(2);
    for (const [shardId, count] of wanted) {
      // (This function runs in the page.)
      await page.waitForFunction(
        ([id, n]) => Number(document.querySelector(`[data-shard-total="${id}"]`)?.getAttribute("data-value")) === n,
        [shardId, count] as const,
        { timeout: Math.max(100, deadline - Date.now()) },
      );
      expect(await shownTotal(shardId)).toBe(count);
    }
    // The hash-key bar has one part per shard, and the newest records are listed.
    expect(await page.locator("[data-range]").count()).toBe(2);
    expect(await page.locator("#recent tr").count()).toBeGreaterThan(0);
    expect(await page.textContent("#recent")).toContain(put.runId);
  });

  it("shows the throttled counter rise on a stream at its write limit", async () => {
    const throttled = async () => {
      let sum = 0;
      for (const element of await page.locator("[data-throttled]").all())
        sum += Number(await element.getAttribute("data-value"));
      return sum;
    };
    const before = await throttled();
    const put = await lesson02.main(localOptions(lesson02.lesson, testEmulator.current, STREAM, "--count", "3000"));
    expect(put.throttled).toBeGreaterThan(0);
    await expect.poll(throttled, { timeout: 5000 }).toBeGreaterThan(before);
  });

  it("shows lesson 04's lease rows with owner worker-1", async () => {
    const running = lesson04.main(
      localOptions(lesson04.lesson, testEmulator.current, STREAM, "--expect", "5000", "--timeout", "200"),
    );
    // KCL 3.x: the worker's row from the WorkerMetricStats table, leader by the CoordinatorState
    // lock. Seen while the worker runs: the lesson gives the lock back when it stops its daemon.
    const leading = page.locator('tr[data-worker="worker-1"][data-leader="true"]');
    await Promise.race([
      leading.waitFor({ timeout: 200_000 }),
      running.then(() => Promise.reject(new Error("lesson 04 ended before the page showed worker-1 leading"))),
    ]);
    expect(await leading.textContent()).toContain("CLIENT_VERSION_3X");
    await running;
    await page.waitForSelector('tr[data-lease][data-owner="worker-1"]', { timeout: 5000 });
    expect(await page.locator('tr[data-lease][data-owner="worker-1"]').count()).toBe(2);
  }, 240_000);

  it("loads with no script error, a strict Content-Security-Policy, and refuses a foreign Host", async () => {
    expect(shown.problems).toEqual([]);
    const response = await fetch(view.url);
    expect(response.headers.get("content-security-policy")).toMatch(/script-src 'self';/);
    expect(response.headers.get("content-security-policy")).not.toMatch(/unsafe-inline/);
    const foreign = await new Promise<number>((resolve, reject) => {
      request(view.url, { headers: { host: `attacker.example:${view.port}` } }, (res) => resolve(res.statusCode ?? 0))
        .on("error", reject)
        .end();
    });
    expect(foreign).toBe(403);
  });

  it("takes a screenshot into .workshop/ (for the README: look at it)", async () => {
    mkdirSync(WORKSHOP_DIR, { recursive: true });
    const file = join(WORKSHOP_DIR, "view-screenshot.png");
    await page.screenshot({ path: file, fullPage: true });
    expect(statSync(file).size).toBeGreaterThan(20_000);
  });
});
