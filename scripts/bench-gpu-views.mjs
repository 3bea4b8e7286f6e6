// Large views benchmark: `node scripts/bench-gpu-views.mjs DIST` (after trunk build --release).
// Opens #/bench/large-views in headless Chromium with WebGPU (SwiftShader adapter) and WebGL2
// (SwiftShader) enabled; the page times redraws after a zoom step for 1,000,000 points and a
// 1,000 x 1,000 heatmap on each renderer and through plotters-canvas, and this prints the table.
import { createRequire } from "node:module";
import { cpus } from "node:os";
import { serve, CHROMIUM_ARGS } from "../tests/e2e/harness.mjs";

const require = createRequire(import.meta.url);
const { chromium } = require("playwright-core");
const root = process.argv[2] ?? "dist";
const server = await serve(root);
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: [...CHROMIUM_ARGS, "--enable-unsafe-webgpu"],
});
const page = await browser.newPage();
page.on("pageerror", (e) => console.error("page error:", String(e)));
await page.goto(server.url + "#/bench/large-views");
const results = page.getByTestId("bench-results");
await page.locator('[data-testid="bench-results"][data-done="true"]').waitFor({ timeout: 900000 });
const lines = (await results.innerText()).split("\n").filter(Boolean).map((l) => JSON.parse(l));
await browser.close();
await server.close();
const [machine, ...rows] = lines;
console.log(`machine: ${cpus().length} x ${cpus()[0]?.model ?? "cpu"}; ${machine.machine}`);
console.log(`canvas ${machine.width}x${machine.height}, median of ${machine.frames} redraws, each after a zoom step\n`);
const plotters = Object.fromEntries(rows.filter((r) => r.renderer === "plotters-canvas").map((r) => [r.data, r.median_ms]));
console.log("| data | renderer (adapter) | ms per redraw | vs plotters-canvas | worker wasm memory |");
console.log("|---|---|---:|---:|---:|");
for (const r of rows) {
  const speed = r.median_ms && plotters[r.data] ? `${(plotters[r.data] / r.median_ms).toFixed(1)}x` : "";
  const ms = r.error ? `failed: ${r.error}` : r.median_ms.toFixed(1);
  // Canvas2D cannot draw a million discs interactively: above its limit it draws the density grid.
  const what = r.renderer === "canvas2d" && r.data.startsWith("scatter") ? " — density grid, not points" : "";
  console.log(`| ${r.data} | ${r.used ?? r.renderer}${what} | ${ms} | ${r.renderer === "plotters-canvas" ? "1x" : speed} | ${r.wasm_mb ? `${r.wasm_mb} MB` : ""} |`);
}
