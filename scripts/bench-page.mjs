#!/usr/bin/env node
// Times the engine inside the page's Web Worker, in headless Chromium, on the built app:
//   node scripts/bench-page.mjs [DIST_DIR]   (build first: trunk build --release)
// Prints one line per case with the median of 5 runs (wall clock from postMessage to reply).
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const here = dirname(fileURLToPath(import.meta.url));
const harness = await import(join(here, "../tests/e2e/harness.mjs"));
const require = createRequire(import.meta.url);
const { chromium } = require("playwright-core");
const root = process.argv[2] ?? join(here, "../dist");

// 8 attributes × 5 levels with 5 restrictions, as in the design issue's benchmark.
const attributes = Array.from({ length: 8 }, (_, a) => ({
  name: `A${a + 1}`,
  levels: Array.from({ length: 5 }, (_, l) => ({ name: `L${l + 1}`, weight: 1.0 })),
}));
const restrictions = Array.from({ length: 5 }, (_, r) => ({
  exclude: [
    { attribute: `A${r + 1}`, levels: ["L1"] },
    { attribute: `A${r + 2}`, levels: ["L2"] },
  ],
}));
const conjoint = {
  attributes, restrictions, profiles_per_task: 2, tasks_per_respondent: 10,
  outcome: { type: "forced_choice" },
  randomisation: { strategy: { type: "fully_random" }, attribute_order: "fixed", no_identical_profiles: true, seed: 1 },
};
const example = JSON.parse(readFileSync(join(here, "../public/examples/immigration.json"), "utf8"));
const table = example.results[0];
const amce = {
  job: "estimate", estimator: "amce", table, outcome: "ChosenImmigrant", id: "CaseID", weights: null,
  formula: "Gender + Education + LanguageSkills + CountryOfOrigin + Job + JobExperience + JobPlans + ReasonForApplication + PriorEntry",
  level_orders: example.conjoint.attributes.map((a) => [a.name, a.levels.map((l) => l.name)]), se: "cregg", mm_null: 0.5,
};
// 1,000 persons × 1,000 questions of 1–7 answers with a retest wave and two groups: the twin comparison
// on 1,000,000 pairs, from the CSV text the page would hand over (parsing included).
let compareCsv = "person,question,human,twin,retest,group\n";
let seed = 1;
const draw = (k) => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % k; };
for (let p = 0; p < 1000; p++) {
  const rows = [];
  for (let q = 0; q < 1000; q++) {
    const h = draw(7) + 1;
    const near = () => Math.min(7, Math.max(1, h + draw(3) - 1));
    rows.push(`${p},q${q},${h},${near()},${near()},${p % 2}`);
  }
  compareCsv += rows.join("\n") + "\n";
}
const compareRanges = "question,min,max\n" + Array.from({ length: 1000 }, (_, q) => `q${q},1,7`).join("\n") + "\n";
const compare = {
  job: "compare", data: { format: "csv", name: "pairs.csv", text: compareCsv },
  person: "person", question: ["question"], human: "human", twin: "twin", retest: "retest", group: "group",
  ranges: { format: "csv", name: "ranges.csv", text: compareRanges },
};
const cases = [
  ["fully randomised design, 10,000 respondents × 10 tasks × 2 profiles × 8 attributes, 5 restrictions",
    { job: "generate", conjoint, respondents: 10000, seed: 1 }],
  ["design diagnostics, 1,000 respondents of the immigration study",
    { job: "diagnose", conjoint: example.conjoint, respondents: 1000, seed: 2014 }],
  ["AMCE with clustered SEs, immigration example (13,960 rows), including the table's transfer", amce],
  ["twin comparison, 1,000,000 pairs (1,000 persons x 1,000 questions, retest, groups), CSV text parsed in the worker", compare],
];

const server = await harness.serve(root);
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: harness.CHROMIUM_ARGS });
const page = await browser.newPage();
await page.goto(server.url);
const results = await page.evaluate(async (cases) => {
  const worker = new Worker("./silico-worker_loader.js");
  // Messages both ways are the JSON text of the typed protocol (src/jobs/protocol.rs).
  await new Promise((ok) => worker.addEventListener("message", (e) => JSON.parse(e.data).kind === "started" && ok(), { once: true }));
  let id = 0;
  const run = (job) => new Promise((ok) => {
    const mine = ++id;
    const start = performance.now();
    const listener = (e) => {
      const message = JSON.parse(e.data);
      if (message.id !== mine || message.kind === "progress") return;
      worker.removeEventListener("message", listener);
      ok({ ms: performance.now() - start, reply: message.kind === "done" ? "done" : `failed: ${message.error.message}` });
    };
    worker.addEventListener("message", listener);
    worker.postMessage({ text: JSON.stringify({ kind: "run", id: mine, job }) });
  });
  const out = [];
  for (const [name, job] of cases) {
    const times = [];
    let reply;
    for (let i = 0; i < 5; i++) ({ ms: times[i], reply } = await run(job));
    times.sort((a, b) => a - b);
    out.push({ name, median: times[2], min: times[0], reply });
  }
  return out;
}, cases);
for (const r of results) console.log(`${r.median.toFixed(0).padStart(6)} ms (min ${r.min.toFixed(0)})  ${r.name}  [${r.reply}]`);

// The designer's responsiveness: the longest main-thread task while editing the 14,000-row example with
// diagnostics recomputing on every edit (target: none over 50 ms).
const edit = await browser.newPage();
await edit.addInitScript(() => {
  window.__longTasks = [];
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) window.__longTasks.push(Math.round(entry.duration));
  }).observe({ type: "longtask" });
});
await edit.goto(server.url);
await edit.getByRole("button", { name: /Load example/ }).click();
await edit.getByRole("link", { name: /Immigration conjoint/ }).click();
await edit.getByRole("button", { name: "Generate and diagnose" }).click();
await edit.getByTestId("diagnostics").waitFor();
await edit.waitForTimeout(500);
await edit.evaluate(() => { window.__longTasks = []; });
for (const weight of ["2", "3", "1.5", "1", "4", "1"]) {
  await edit.getByLabel("Weight of Male").fill(weight);
  await edit.getByLabel("Weight of Male").press("Enter");
  await edit.getByTestId("save-status").getByText("All changes saved").waitFor();
  await edit.waitForTimeout(200);
}
const long = await edit.evaluate(() => window.__longTasks);
console.log(`${String(long.length).padStart(6)}    main-thread tasks over 50 ms during 6 edits of the 14,000-row example with live diagnostics${long.length ? ` (${long.join(", ")} ms)` : ""}`);
await browser.close();
await server.close();
