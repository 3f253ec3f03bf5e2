// The live view's page: one snapshot a second from /events (server-sent events), drawn
// with uPlot (served by the workshop from node_modules). Text from the stream is only
// ever set as textContent, never parsed as HTML.

const LIMIT = { records: 1000, bytes: 1024 * 1024, reads: 5 };
const SHARD_COLORS = 6;
const charts = new Map(); // shardId -> { plot, card }
let previousLeases = new Map();

const $ = (id) => document.getElementById(id);
const el = (tag, props = {}, children = []) => {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === "text") node.textContent = value;
    else if (key === "class") node.className = value;
    else node.setAttribute(key, value);
  }
  for (const child of children) node.append(child);
  return node;
};
const number = (n) => (n === undefined || n === null ? "—" : Math.round(n).toLocaleString("en"));
const rate = (n) => (n === undefined ? "—" : n >= 100 ? Math.round(n).toLocaleString("en") : n.toFixed(1));
const shortSeq = (seq) => (seq && seq.length > 14 ? `…${seq.slice(-12)}` : seq || "");
const cssVar = (name) => getComputedStyle(document.documentElement).getPropertyValue(name).trim();

// ---- each shard keeps its colour while the page is open, whatever shards come and go ----
// (Shard ids are names, not positions: a reshard closes some and opens others with new ids.)
const colorIndex = new Map(); // shardId -> index of a --shard-N colour
/** A shard's colour: the same every second; a new shard takes a colour no shown shard has. */
function shardColor(shardId, shown) {
  if (!colorIndex.has(shardId)) {
    const taken = new Set(shown.filter((id) => colorIndex.has(id)).map((id) => colorIndex.get(id)));
    let index = 0;
    while (taken.has(index) && index < SHARD_COLORS) index++;
    colorIndex.set(shardId, index < SHARD_COLORS ? index : colorIndex.size % SHARD_COLORS);
  }
  return cssVar(`--shard-${colorIndex.get(shardId)}`);
}
/** "shard 3" for shardId-000000000003; the whole id where it has no number. */
const shardLabel = (shardId) => {
  const digits = /(\d+)$/.exec(shardId);
  return digits ? `shard ${Number(digits[1])}` : shardId;
};
const HASH_SPACE = 2n ** 128n;
/** Where a hash key lies in the 128-bit space, in percent (three decimals). */
const percentOf = (key) => Number((BigInt(key) * 100000n) / HASH_SPACE) / 1000;
/** A range's share of the hash-key space, in percent. */
const widthOf = (r) => percentOf(BigInt(r.endingHashKey) - BigInt(r.startingHashKey) + 1n);
const byStart = (a, b) => {
  const d = BigInt(a.startingHashKey) - BigInt(b.startingHashKey);
  return d < 0n ? -1 : d > 0n ? 1 : a.shardId.localeCompare(b.shardId);
};

/** Put `rows` (arrays of cells) into a tbody, replacing what was there. */
function fillRows(tbody, rows, rowProps = () => ({})) {
  tbody.replaceChildren(
    ...rows.map((cells, i) =>
      el(
        "tr",
        rowProps(i),
        cells.map((c) => (c instanceof Node ? el("td", {}, [c]) : el("td", { text: String(c) }))),
      ),
    ),
  );
}

// ---- theme: follows the system, a click switches, remembered in this browser ----
const systemTheme = matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
document.documentElement.dataset.theme = localStorage.getItem("kinesis-view-theme") ?? systemTheme;
$("theme").addEventListener("click", () => {
  const dark = document.documentElement.dataset.theme === "dark";
  document.documentElement.dataset.theme = dark ? "light" : "dark";
  localStorage.setItem("kinesis-view-theme", document.documentElement.dataset.theme);
  for (const { plot } of charts.values()) plot.redraw();
});

// ---- 1. the stream ----
function drawHeader(s) {
  $("title").textContent = `· ${s.stream} on ${s.target} · ${s.region}`;
  const chips = [];
  if (s.description.found) {
    chips.push(
      el("span", { class: `chip ${s.description.status === "ACTIVE" ? "good" : "warn"}`, text: s.description.status }),
    );
    chips.push(el("span", { class: "chip", text: s.description.mode }));
    chips.push(el("span", { class: "chip", text: `retention ${s.description.retentionHours ?? "?"} h` }));
    chips.push(
      el("span", {
        class: "chip",
        id: "open-shards",
        "data-value": String(s.description.shards.filter((x) => x.open).length),
        text: `${s.description.shards.filter((x) => x.open).length} open shard(s)`,
      }),
    );
    const closing = s.description.shards.filter((x) => !x.open && x.drained !== true).length;
    if (closing) chips.push(el("span", { class: "chip closed", text: `${closing} closed, not drained` }));
  } else {
    chips.push(el("span", { class: "chip warn", text: s.description.message }));
  }
  if (s.limits !== undefined)
    chips.push(
      el("span", { class: `chip ${s.limits ? "good" : "warn"}`, text: s.limits ? "AWS shard limits" : "limits off" }),
    );
  chips.push(el("span", { class: "chip", text: `one point per ${s.granularity}` }));
  $("chips").replaceChildren(...chips);
  $("notes").textContent = s.notes.join(" ");
  document.title = `Kinesis live · ${s.stream}`;
}

/** The shards the page shows: every open one, and the closed ones not drained yet. */
const shownShards = (s) =>
  s.description.found ? s.description.shards.filter((x) => x.open || x.drained !== true) : [];

/**
 * The hash-key bar, redrawn from ListShards every second: the open shards' ranges as they are
 * now (a reshard shows at once). Under it, in grey, the closed shards not drained yet, each at
 * its old range; overlapping ones (a reshard of a reshard) on lanes of their own.
 */
function drawHashBar(s) {
  const bar = $("hashbar");
  const closedBars = $("hashbar-closed");
  if (!s.description.found) {
    bar.replaceChildren();
    closedBars.replaceChildren();
    $("drained").textContent = "";
    return;
  }
  const shown = shownShards(s).map((x) => x.shardId);
  const rangeTitle = (shard) =>
    `${shard.shardId}${shard.open ? "" : " (closed)"}: hash keys ${shard.startingHashKey} … ${shard.endingHashKey}` +
    (shard.parents.length ? `, from ${shard.parents.join(" + ")}` : "");
  const part = (shard) =>
    el("div", {
      class: shard.open ? "" : "closed",
      title: rangeTitle(shard),
      "data-range": shard.shardId,
      "data-open": String(shard.open),
      "data-start": shard.startingHashKey,
      "data-end": shard.endingHashKey,
      text: shard.open ? shardLabel(shard.shardId) : `${shardLabel(shard.shardId)} · closed`,
    });
  bar.replaceChildren(
    ...s.description.shards
      .filter((x) => x.open)
      .sort(byStart)
      .map((shard) => {
        const node = part(shard);
        node.style.flexBasis = `${widthOf(shard)}%`;
        node.style.background = shardColor(shard.shardId, shown);
        return node;
      }),
  );
  // Closed, not drained: placed by their ranges, a lane for each set that does not overlap.
  const lanes = [];
  for (const shard of s.description.shards.filter((x) => !x.open && x.drained !== true).sort(byStart)) {
    const lane = lanes.find((l) => BigInt(l.at(-1).endingHashKey) < BigInt(shard.startingHashKey));
    if (lane) lane.push(shard);
    else lanes.push([shard]);
  }
  closedBars.replaceChildren(
    ...lanes.map((lane) =>
      el(
        "div",
        { class: "hashbar lane" },
        lane.map((shard) => {
          const node = part(shard);
          node.style.left = `${percentOf(shard.startingHashKey)}%`;
          node.style.width = `${widthOf(shard)}%`;
          return node;
        }),
      ),
    ),
  );
  const drained = s.description.shards.filter((x) => !x.open && x.drained === true).map((x) => x.shardId);
  $("drained").textContent = drained.length
    ? `Closed and drained (every record counted in was read out, and no KCL lease is short of SHARD_END), so no longer shown: ${drained.join(", ")}.`
    : "";
}

function shardCard(shard) {
  const card = el("div", { class: "shard", "data-shard": shard.shardId });
  const swatch = el("span", { class: "swatch" });
  const plotBox = el("div", { class: "plot" });
  const numbers = el("div", { class: "numbers" });
  const state = el("span", { class: "state" });
  card.append(el("h3", {}, [swatch, shard.shardId, state]), plotBox, numbers);
  $("shards").append(card);
  const width = Math.max(300, card.clientWidth - 24);
  const plot = new uPlot(
    {
      width,
      height: 170,
      legend: { show: true },
      scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(max, LIMIT.records * 1.1)] } },
      axes: [
        { stroke: () => cssVar("--muted"), grid: { stroke: () => cssVar("--line") } },
        { stroke: () => cssVar("--muted"), grid: { stroke: () => cssVar("--line") }, size: 60 },
      ],
      series: [
        {},
        { label: "records/s", stroke: () => cssVar("--write"), width: 3 },
        { label: "limit", stroke: () => cssVar("--limit"), width: 2, dash: [8, 6], points: { show: false } },
        { label: "refused/s", stroke: () => cssVar("--limit"), width: 2, points: { show: true } },
      ],
    },
    [[], [], [], []],
    plotBox,
  );
  return { card, plot, numbers, state, swatch };
}

/**
 * One card per shard shown: the open ones by their place in the hash-key space, then the
 * closed ones not drained yet, in grey and marked closed. A drained shard's card goes.
 */
function drawShards(s) {
  const seen = new Set();
  const openShards = s.description.found ? s.description.shards.filter((x) => x.open).length : 1;
  const ranges = new Map((s.description.found ? s.description.shards : []).map((x) => [x.shardId, x]));
  const place = (shard) => ranges.get(shard.shardId) ?? { shardId: shard.shardId, startingHashKey: "0" };
  const cards = s.shards
    .filter((shard) => !shard.drained)
    .sort((a, b) => (a.open === b.open ? byStart(place(a), place(b)) : a.open ? -1 : 1));
  const shown = cards.map((shard) => shard.shardId);
  for (const shard of cards) {
    seen.add(shard.shardId);
    if (!charts.has(shard.shardId)) charts.set(shard.shardId, shardCard(shard));
    const { card, plot, numbers, state, swatch } = charts.get(shard.shardId);
    $("shards").append(card); // in order (moving a card keeps its chart)
    card.classList.toggle("closed", !shard.open);
    swatch.style.background = shard.open ? shardColor(shard.shardId, shown) : cssVar("--closed");
    card.dataset.open = String(shard.open);
    const range = ranges.get(shard.shardId);
    state.textContent = shard.open
      ? ""
      : shard.totals.recordsOut === undefined
        ? "closed"
        : `closed · ${number(Math.max(0, shard.totals.recordsIn - shard.totals.recordsOut))} record(s) not read out yet`;
    state.title = range?.parents.length ? `from ${range.parents.join(" + ")}` : "";
    // On AWS the one "shard" is the whole stream: its limit is every open shard's together.
    const limit = s.target === "aws" ? LIMIT.records * openShards : LIMIT.records;
    const h = shard.history;
    plot.setData([
      h.map((p) => p.at / 1000),
      h.map((p) => p.records),
      h.map(() => limit),
      h.map((p) => p.writesThrottled),
    ]);
    const last = h.at(-1) ?? { records: 0, bytes: 0, writesThrottled: 0, reads: 0 };
    const over = last.records >= limit * 0.95 ? "over" : "";
    // Lineage, from ListShards: a child names its parents; a closed parent's keys go on in its children.
    const children = [...ranges.values()].filter((x) => x.parents.includes(shard.shardId)).map((x) => x.shardId);
    const lineage = [
      ...(range?.parents.length ? [el("span", { text: "from" }), el("b", { text: range.parents.join(" + ") })] : []),
      ...(children.length ? [el("span", { text: "went on in" }), el("b", { text: children.join(" + ") })] : []),
    ];
    numbers.replaceChildren(
      el("span", { text: "records/s now" }),
      el("b", { class: over, text: `${rate(last.records)} of ${number(limit)}` }),
      el("span", { text: "KiB/s now" }),
      el("b", { text: `${rate(last.bytes / 1024)} of ${number((limit / LIMIT.records) * 1024)}` }),
      el("span", { text: "records in" }),
      el("b", {
        "data-shard-total": shard.shardId,
        "data-value": String(shard.totals.recordsIn),
        text: number(shard.totals.recordsIn),
      }),
      el("span", { text: `refused/s, last ${s.granularity === "1 s" ? "5 s" : s.granularity}` }),
      el("b", {
        class: shard.refusedPerSecond > 0 ? "over" : "",
        "data-throttled-rate": shard.shardId,
        "data-value": String(shard.refusedPerSecond),
        text: rate(shard.refusedPerSecond),
      }),
      el("span", { text: "writes refused, in all" }),
      el("b", {
        "data-throttled": shard.shardId,
        "data-value": String(shard.totals.writesThrottled),
        text: number(shard.totals.writesThrottled),
      }),
      ...lineage,
    );
  }
  for (const [shardId, { card }] of charts) {
    if (!seen.has(shardId)) {
      card.remove();
      charts.delete(shardId);
    }
  }
  fillRows(
    $("reads"),
    cards.map((shard) => {
      const last = shard.history.at(-1) ?? { reads: 0, readsThrottled: 0 };
      return [
        shard.open ? shard.shardId : `${shard.shardId} (closed)`,
        `${rate(last.reads)} of ${LIMIT.reads}`,
        rate(last.readsThrottled),
        number(shard.totals.reads),
        number(shard.totals.readsThrottled),
      ];
    }),
    (i) => ({ class: cards[i].open ? "" : "closed", "data-read-shard": cards[i].shardId }),
  );
}

// ---- 2. recent records ----
function drawRecent(s) {
  if (s.recent === null) {
    $("records-help").textContent =
      "On AWS the page does not sample records: reading them would take read capacity from your consumers.";
    return fillRows($("recent"), []);
  }
  fillRows(
    $("recent"),
    s.recent
      .slice(0, 15)
      .map((r) => [
        new Date(r.at).toLocaleTimeString(),
        r.shardId,
        r.partitionKey,
        shortSeq(r.sequenceNumber),
        el("span", { class: "data", text: r.dataStart }),
      ]),
  );
  for (const cell of $("recent").querySelectorAll("td:last-child")) cell.className = "data";
}

// ---- 3. leases: a row whose owner or counter changed since the last second is highlighted ----
function drawLeases(s) {
  if (s.readersIteratorAgeMs !== undefined) {
    $("reads").append(
      el("tr", {}, [
        el("td", { text: `slowest reader's iterator age (CloudWatch): ${number(s.readersIteratorAgeMs)} ms` }),
      ]),
    );
  }
  const now = new Map();
  fillRows(
    $("leases"),
    s.leases.map((l) => [l.application, l.shard, l.owner, shortSeq(l.checkpoint), l.leaseCounter, l.progress]),
    (i) => {
      const l = s.leases[i];
      const key = `${l.application}/${l.shard}`;
      const before = previousLeases.get(key);
      now.set(key, l);
      const changed = before && (before.owner !== l.owner || before.checkpoint !== l.checkpoint);
      return { class: changed ? "changed" : "", "data-lease": key, "data-owner": l.owner };
    },
  );
  previousLeases = now;
  if (s.leases.length === 0)
    fillRows($("leases"), [["no lease table for this stream yet: run lesson 04", "", "", "", "", ""]]);
  fillRows(
    $("kcl-workers"),
    s.kclWorkers.map((w) => [
      w.application,
      w.worker,
      w.leader ? "✓ leader" : "·",
      w.clientVersion,
      `${Math.max(0, Math.round((s.at - w.reportedAt) / 1000))} s ago`,
      w.load,
    ]),
    (i) => ({ "data-worker": s.kclWorkers[i].worker, "data-leader": String(s.kclWorkers[i].leader) }),
  );
  if (s.kclWorkers.length === 0)
    fillRows($("kcl-workers"), [
      ["no KCL 3.x worker has reported for this stream yet: run lesson 04", "", "", "", "", ""],
    ]);
}

// ---- 4. Lambda ----
function drawLambda(s) {
  const f = s.lambda;
  const figure = (label, value, id) => el("div", {}, [el("b", { id, text: value }), label]);
  $("lambda-figures").replaceChildren(
    figure("invocations", number(f.invocations), "lambda-invocations"),
    figure("errors", number(f.errors), "lambda-errors"),
    figure("records handled", number(f.recordsHandled), "lambda-handled"),
    figure(
      "put → handler, median",
      f.latencyMedianMs === undefined ? "—" : `${number(f.latencyMedianMs)} ms`,
      "lambda-median",
    ),
    figure("p95", f.latencyP95Ms === undefined ? "—" : `${number(f.latencyP95Ms)} ms`, "lambda-p95"),
    ...(f.iteratorAgeMs === undefined
      ? []
      : [figure("iterator age (CloudWatch)", `${number(f.iteratorAgeMs)} ms`, "lambda-iterator-age")]),
  );
  fillRows(
    $("mappings"),
    f.mappings.map((m) => [
      m.uuid,
      m.functionName,
      m.state,
      m.batchSize ?? "",
      m.lastProcessingResult,
      m.work?.iteratorAgeMs === undefined ? "" : `${number(m.work.iteratorAgeMs)} ms`,
      m.work?.pollGapMs === undefined ? "" : `${number(m.work.pollGapMs)} ms`,
      m.work ? number(m.work.invocations) : "",
      m.work ? number(m.work.retries) : "",
      m.work ? number(m.work.bisections) : "",
      m.work ? number(m.work.skipped) : "",
    ]),
  );
  if (f.mappings.length === 0)
    fillRows($("mappings"), [
      ["no event source mapping on this stream yet: run lesson 05", "", "", "", "", "", "", "", "", "", ""],
    ]);
}

// ---- 5. the class ----
function drawClass(s) {
  const yes = (b) => (b ? "✓" : "·");
  fillRows(
    $("classmates"),
    s.classmates.map((c) => [c.stream, number(c.records), c.leases || "·", yes(c.hasFunction), yes(c.hasMapping)]),
  );
}

function draw(s) {
  drawHeader(s);
  drawHashBar(s);
  drawShards(s);
  drawRecent(s);
  drawLeases(s);
  drawLambda(s);
  drawClass(s);
  $("footer").textContent =
    `Updated ${new Date(s.at).toLocaleTimeString()} · read-only: Describe, List, Get, Scan and Filter calls${s.target === "aws" ? " and CloudWatch metrics" : " and the limits layer's counters"}`;
  document.body.dataset.updated = String(s.at);
}

const events = new EventSource("/events");
events.onmessage = (message) => {
  $("trouble").hidden = true;
  draw(JSON.parse(message.data));
};
events.addEventListener("trouble", (message) => {
  $("trouble").hidden = false;
  $("trouble").textContent = `Cannot read the target right now: ${JSON.parse(message.data)}`;
});
events.onerror = () => {
  $("notes").textContent = "Lost the connection to npm run view: is it still running?";
};
