// npm run view across a reshard, in a real browser (headless Chromium): a one-shard stream
// with records in it, then `npx tsx 01-make-a-stream/main.ts --reshard 2` as a student types
// it. The page redraws the hash-key bar with the two children's ranges as ListShards gives
// them, keeps the parent in grey and marked closed (nobody has read its records: not
// drained), and the parent's refusals stop while the children's start at zero. Once lesson
// 03 has read the parent to its end, the parent is drained and leaves the page.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { ListShardsCommand } from "@aws-sdk/client-kinesis";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as lesson01 from "../01-make-a-stream/main.js";
import * as lesson02 from "../02-produce-data/main.js";
import * as lesson03 from "../03-basic-consumer/main.js";
import { WORKSHOP_DIR } from "../shared/paths.js";
import { browserAvailable } from "../view/browser.js";
import { viewClients } from "../view/clients.js";
import { lastJson, runCli } from "./cli.js";
import { localArgs, localOptions, useTestEmulator } from "./emulator.js";
import { type OpenView, openView } from "./view-page.js";

const testEmulator = useTestEmulator();
const STREAM = "resharded";
const PARENT = "shardId-000000000000";
let shown: OpenView;
let page: Page;

/** What the page shows in the hash-key bar: [shard, start, end] of each part, left to right. */
const barParts = (selector: string) =>
  page.$$eval(selector, (parts) =>
    parts.map((p) => [p.getAttribute("data-range"), p.getAttribute("data-start"), p.getAttribute("data-end")]),
  );

describe.skipIf(!browserAvailable)("npm run view across a reshard, in Chromium", () => {
  beforeAll(async () => {
    await lesson01.main(localOptions(lesson01.lesson, testEmulator.current, STREAM, "--shards", "1"));
    shown = await openView(testEmulator.current, STREAM);
    ({ page } = shown);
  });
  afterAll(() => shown?.close());

  it("redraws the bar with the two children's ranges, and keeps the parent grey and closed", async () => {
    // More than one shard takes in a second: the one shard refuses some.
    const put = await lesson02.main(localOptions(lesson02.lesson, testEmulator.current, STREAM, "--count", "2000"));
    expect(put.throttled).toBeGreaterThan(0);
    await page.waitForSelector(`[data-throttled="${PARENT}"]:not([data-value="0"])`, { timeout: 5000 });
    expect(await barParts("#hashbar [data-range]")).toEqual([[PARENT, "0", "340282366920938463463374607431768211455"]]);

    const resharded = await runCli(
      "01-make-a-stream/main.ts",
      localArgs(testEmulator.current, STREAM, "--reshard", "2", "--json"),
    );
    expect(resharded.code, resharded.stderr).toBe(0);
    expect(lastJson(resharded)).toMatchObject({ closed: [PARENT], shardIds: expect.any(Array) });

    // The children's ranges, as ListShards gives them, left to right.
    const { Shards = [] } = await viewClients(localOptions(lesson01.lesson, testEmulator.current, STREAM)).kinesis.send(
      new ListShardsCommand({ StreamName: STREAM }),
    );
    const children = Shards.filter((s) => !s.SequenceNumberRange?.EndingSequenceNumber)
      .map((s) => [s.ShardId, s.HashKeyRange?.StartingHashKey, s.HashKeyRange?.EndingHashKey])
      .sort((a, b) => (BigInt(a[1]!) < BigInt(b[1]!) ? -1 : 1));
    expect(children).toHaveLength(2);
    expect(Shards.filter((s) => s.ParentShardId === PARENT)).toHaveLength(2);

    await page.waitForSelector('#open-shards[data-value="2"]', { timeout: 3000 });
    expect(await barParts("#hashbar [data-range]")).toEqual(children);
    expect(await page.getAttribute("#hashbar [data-range]", "data-open")).toBe("true");
    // The parent: grey, under the bar at its old range, and its card and reads row marked closed.
    expect(await barParts("#hashbar-closed [data-range]")).toEqual([
      [PARENT, "0", "340282366920938463463374607431768211455"],
    ]);
    expect(await page.getAttribute(`#hashbar-closed [data-range="${PARENT}"]`, "data-open")).toBe("false");
    const grey = await page.$eval(
      `#hashbar-closed [data-range="${PARENT}"]`,
      (e) => getComputedStyle(e).backgroundColor,
    );
    expect(grey).toMatch(/^rgb\((\d+), \1, \1\)$/); // a grey: red, green and blue alike
    const parentCard = page.locator(`.shard[data-shard="${PARENT}"]`);
    expect(await parentCard.getAttribute("class")).toContain("closed");
    expect(await parentCard.locator(".state").textContent()).toMatch(/^closed · 2,000 record\(s\) not read out yet$/);
    expect(await page.textContent(`tr[data-read-shard="${PARENT}"]`)).toContain("(closed)");
    expect(await parentCard.textContent()).toContain(`went on in${children.map(([id]) => id).join(" + ")}`);
    // Each child has a card of its own, open, from the parent, with nothing refused.
    for (const [child] of children) {
      const card = page.locator(`.shard[data-shard="${child}"]`);
      expect(await card.getAttribute("data-open")).toBe("true");
      expect(await card.textContent()).toContain(`from${PARENT}`);
      expect(await page.getAttribute(`[data-throttled="${child}"]`, "data-value")).toBe("0");
    }

    // The parent takes no more writes: its refusals stop rising, and its rate over the last 5 s falls to 0.
    const refusedBefore = Number(await page.getAttribute(`[data-throttled="${PARENT}"]`, "data-value"));
    await page.waitForSelector(`[data-throttled-rate="${PARENT}"][data-value="0"]`, { timeout: 7000 });
    expect(Number(await page.getAttribute(`[data-throttled="${PARENT}"]`, "data-value"))).toBe(refusedBefore);

    mkdirSync(WORKSHOP_DIR, { recursive: true });
    await page.screenshot({ path: join(WORKSHOP_DIR, "view-reshard.png"), fullPage: true });
    expect(shown.problems).toEqual([]);
  });

  it("stops showing the parent once a reader has read it to its end (drained)", async () => {
    const read = await lesson03.main(localOptions(lesson03.lesson, testEmulator.current, STREAM, "--shard", PARENT));
    expect(read.unique).toBe(2000);
    await page.waitForSelector(`.shard[data-shard="${PARENT}"]`, { state: "detached", timeout: 3000 });
    expect(await page.locator("#hashbar-closed [data-range]").count()).toBe(0);
    expect(await page.textContent("#drained")).toContain(PARENT);
    expect(await page.locator("#hashbar [data-range]").count()).toBe(2);
    expect(shown.problems).toEqual([]);
  });
});
