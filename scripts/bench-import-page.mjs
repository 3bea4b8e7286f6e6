#!/usr/bin/env node
// Times importing a large CSV through the real page, in headless Chromium, on the built app:
//   node scripts/bench-import-page.mjs [DIST_DIR] [MB]   (build first: trunk build --release)
// Generates a survey export of about MB megabytes (default 200; the shape of `silico bench import`:
// id, age, party, income, ten 1–5 answers, a sometimes-quoted comment, four conjoint levels), picks
// it in the Analyze tab's file input and prints: the time from picking the file to the summary
// ("N rows × M columns") on the page, how many progress reports the page showed, the longest
// main-thread task (PerformanceObserver "longtask") and the largest gap of a 10 ms timer during the
// import, and the worker's and the page's memory (Chromium's performance.memory, JS heap only).
import { createWriteStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";

const here = dirname(fileURLToPath(import.meta.url));
const harness = await import(join(here, "../tests/e2e/harness.mjs"));
const require = createRequire(import.meta.url);
const { chromium } = require("playwright-core");
const root = process.argv[2] ?? join(here, "../dist");
const megabytes = Number(process.argv[3] ?? 200);

const PARTIES = ["Democrat", "Republican", "Independent", "Something else"];
const COMMENTS = ["", "no", '"too long, honestly"', '"I liked the ""second"" one"'];
const LEVELS = ["High School", "College Degree", "Graduate Degree", "No Formal", "4th Grade"];

/** Writes the export to `path`; resolves to its size and rows. */
async function writeExport(path, bytes) {
  let seed = 7;
  const draw = (k) => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % k; };
  const out = createWriteStream(path);
  let size = 0;
  let rows = 0;
  const header = "ResponseId,age,party,income," + Array.from({ length: 10 }, (_, q) => `Q${q + 1}`).join(",") +
    ",comment,F-1-1-1,F-1-1-2,F-1-2-1,F-1-2-2\n";
  out.write(header);
  size += header.length;
  while (size < bytes) {
    const lines = [];
    for (let i = 0; i < 10000; i++) {
      rows++;
      const answers = Array.from({ length: 10 }, () => draw(5) + 1).join(",");
      lines.push(`R_${String(rows).padStart(12, "0")},${18 + draw(72)},${PARTIES[draw(4)]},${(draw(25000000) / 100).toFixed(2)},` +
        `${answers},${COMMENTS[draw(4)]},${LEVELS[draw(5)]},${LEVELS[draw(5)]},${LEVELS[draw(5)]},${LEVELS[draw(5)]}\n`);
    }
    const chunk = lines.join("");
    size += Buffer.byteLength(chunk);
    if (!out.write(chunk)) await new Promise((ok) => out.once("drain", ok));
  }
  await new Promise((ok) => out.end(ok));
  return { size, rows };
}

const dir = await mkdtemp(join(tmpdir(), "silico-import-bench-"));
const path = join(dir, "export.csv");
const { size, rows } = await writeExport(path, megabytes * 1_000_000);
console.log(`generated ${(size / 1e6).toFixed(1)} MB, ${rows} rows`);

const server = await harness.serve(root);
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: harness.CHROMIUM_ARGS });
const page = await browser.newPage();
await page.addInitScript(() => {
  window.__longTasks = [];
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) window.__longTasks.push(Math.round(entry.duration));
  }).observe({ type: "longtask", buffered: true });
});
await page.goto(server.url);
await page.getByLabel("New study").fill("Import bench");
await page.getByRole("button", { name: "Create" }).click();
await page.getByRole("link", { name: "Import bench" }).click();
await page.getByRole("navigation", { name: "Study stages" }).getByRole("link", { name: "Analyze" }).click();
// A tiny file warms the worker (its wasm loads on first use) and, before each run, replaces the
// last summary so the next one is the large file's.
const readTiny = async () => {
  await page.getByLabel("Import human data").setInputFiles({ name: "warm.csv", mimeType: "text/csv", buffer: Buffer.from("a,b\n1,2\n") });
  await page.getByTestId("import-summary").getByText("1 rows × 2 columns").waitFor({ timeout: 60000 });
};

const runs = [];
for (let run = 0; run < 3; run++) {
  await readTiny();
  await page.evaluate(() => {
    window.__longTasks = [];
    window.__progressSeen = 0;
    window.__gap = 0;
    let last = performance.now();
    window.__timer = setInterval(() => {
      const now = performance.now();
      window.__gap = Math.max(window.__gap, now - last);
      last = now;
      if (document.querySelector("[data-testid=read-progress]")) window.__progressSeen++;
    }, 10);
  });
  const start = Date.now();
  await page.getByLabel("Import human data").setInputFiles(path);
  await page.getByTestId("import-summary").getByText(`${rows} rows × 19 columns`).waitFor({ timeout: 120000 });
  const ms = Date.now() - start;
  const seen = await page.evaluate(() => {
    clearInterval(window.__timer);
    return { long: window.__longTasks, progress: window.__progressSeen, gap: window.__gap, heap: performance.memory?.usedJSHeapSize ?? 0 };
  });
  runs.push(ms);
  console.log(`run ${run + 1}: ${(ms / 1000).toFixed(2)} s to the summary; ${seen.progress} timer ticks with the progress bar shown; ` +
    `longest main-thread task ${seen.long.length ? Math.max(...seen.long) : 0} ms (${seen.long.length} over 50 ms); ` +
    `largest 10 ms-timer gap ${seen.gap.toFixed(0)} ms; page JS heap ${(seen.heap / 1e6).toFixed(1)} MB`);
}
runs.sort((a, b) => a - b);
console.log(`median ${(runs[1] / 1000).toFixed(2)} s for ${(size / 1e6).toFixed(0)} MB (${(size / 1e6 / (runs[1] / 1000)).toFixed(0)} MB/s)`);
await browser.close();
await server.close();
await rm(dir, { recursive: true });
