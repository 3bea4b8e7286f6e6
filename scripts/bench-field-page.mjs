#!/usr/bin/env node
// Fielding in the page, timed in headless Chromium against the fault-free protocol server
// answering at once (scripts/fault-server.mjs):
//   node scripts/bench-field-page.mjs [DIST_DIR] [CALLS]      (build first: trunk build --release)
// Prints the wall time per call, the main thread's long tasks (PerformanceObserver "longtask":
// every stretch over 50 ms) and the JS heap, for a fresh run and for a rerun answered from the
// response cache.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const here = dirname(fileURLToPath(import.meta.url));
const harness = await import(join(here, "../tests/e2e/harness.mjs"));
const { faultServer } = await import(join(here, "../tests/e2e/field.test.mjs"));
const require = createRequire(import.meta.url);
const { chromium } = require("playwright-core");
const root = process.argv[2] ?? join(here, "../dist");
const calls = Number(process.argv[3] ?? 10000);
const respondents = Math.ceil(calls / 4);

const server = await faultServer([]);
const site = await harness.serve(root);
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: [...harness.CHROMIUM_ARGS, "--enable-precise-memory-info"] });
const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
await page.addInitScript(() => {
  window.__long = [];
  window.__longAt = [];
  window.__t0 = 0;
  new PerformanceObserver((list) => { for (const e of list.getEntries()) { window.__long.push(e.duration); window.__longAt.push([Math.round(e.startTime - window.__t0), Math.round(e.duration)]); } })
    .observe({ type: "longtask", buffered: true });
});
await page.goto(site.url);
await page.locator("#import-study").setInputFiles({ name: "s.json", mimeType: "application/json", buffer: readFileSync(join(here, "../tests/fixtures/fault-conjoint.json")) });
await page.getByRole("link", { name: "Fault-server conjoint" }).click();
await page.getByRole("navigation", { name: "Study stages" }).getByRole("link", { name: "Field" }).click();
await harness.configureEndpoint(page, { baseUrl: server.url, model: "fault-server", respondents, parts: "conjoint", callsAtOnce: 16 });

async function timedRun(label) {
  await page.evaluate(() => { window.__long = []; window.__longAt = []; window.__t0 = performance.now(); });
  const heapBefore = await page.evaluate(() => performance.memory?.usedJSHeapSize ?? 0);
  const started = Date.now();
  await page.getByRole("button", { name: "Start fielding" }).click();
  await page.getByTestId("field-phase").filter({ hasText: "Finished" }).waitFor({ timeout: 600000 });
  const ms = Date.now() - started;
  const counts = await page.getByTestId("field-counts").innerText();
  const engineMs = Number(await page.getByTestId("field-counts").getAttribute("data-engine-ms"));
  const { long, heap, wasm } = await page.evaluate(() => ({
    long: window.__long,
    heap: performance.memory?.usedJSHeapSize ?? 0,
    wasm: [...document.querySelectorAll("*")].length,
  }));
  const max = long.length ? Math.max(...long) : 0;
  console.log(`${label}: ${calls} calls in ${(ms / 1000).toFixed(1)} s = ${(ms / calls).toFixed(2)} ms/call wall clock, ` +
    `${(engineMs / calls).toFixed(3)} ms/call in the engine (scheduling, parsing, records); ` +
    `long tasks: ${long.length} (max ${max.toFixed(0)} ms, over 100 ms: ${long.filter((d) => d > 100).length}); ` +
    `JS heap ${(heapBefore / 1e6).toFixed(1)} → ${(heap / 1e6).toFixed(1)} MB; ${wasm} DOM nodes`);
  console.log(`  ${counts}`);
  console.log(`  long tasks [ms after Start, duration]: ${JSON.stringify(await page.evaluate(() => window.__longAt))}, run took ${ms} ms`);
}

await timedRun("fresh run");
await page.getByRole("button", { name: "Discard this run" }).click();
await timedRun("rerun from the response cache");
const stats = await server.stats();
console.log(`server: ${stats.totals.requests} requests, ${stats.totals.answered} answered`);
await browser.close();
await site.close();
server.stop();
