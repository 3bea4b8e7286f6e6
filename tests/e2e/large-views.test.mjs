// The large GPU views in the Compare tab with the Twin-2K-500 mega-study pairs, through what this
// headless Chromium offers the page (WebGL2 on SwiftShader; WebGPU here cannot present to a canvas):
// the renderer's wasm loads only when a view opens; the heatmap draws, names the cell under the
// pointer, zooms with the wheel, and a shift-drag box fills the linked table; the scatter draws
// every pair, in density mode too; a forced Canvas2D renderer still draws; PNG export downloads.
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { test, assert, distinctColours } from "./harness.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const shared = join(here, "../../../shared/data");
const EXAMPLE = "Immigration conjoint (Hainmueller, Hopkins & Yamamoto 2014)";

async function compareMegastudy(page, url) {
  await page.goto(url);
  await page.getByRole("button", { name: `Load example: ${EXAMPLE}` }).click();
  await page.getByRole("link", { name: EXAMPLE }).click();
  await page.getByRole("navigation", { name: "Study stages" }).getByRole("link", { name: "Compare" }).click();
  await page.locator("#pairs-file").setInputFiles(join(shared, "twin2k500_megastudy_human_vs_twin_long.csv"));
  await page.getByTestId("pairs-summary").waitFor({ timeout: 60000 });
  await page.locator("#ranges-file").setInputFiles(join(shared, "twin2k500_megastudy_dv_ranges.csv"));
  await page.getByText("twin2k500_megastudy_dv_ranges.csv").waitFor();
  await page.getByRole("button", { name: "Compare", exact: true }).click();
  await page.getByTestId("compare-overall").waitFor({ timeout: 60000 });
}

/** The page shows a message it or the renderer could not read (the typed protocol's errors): none may appear. */
async function noProtocolError(view, step) {
  const message = view.getByTestId("large-view-message");
  if (await message.isVisible()) {
    const text = await message.innerText();
    assert(!/cannot read|came without|did not expect|disagree/.test(text), `${step}: ${text}`);
  }
}

/** The marks canvas can't be read from the page (it belongs to the worker), so look at a screenshot. */
async function plotColours(page, name) {
  const plot = page.getByTestId(`large-view-${name}`).locator(".large-view-plot");
  return distinctColours(page, await plot.screenshot());
}

test("large_views_draw_the_megastudy_on_webgl2_with_hover_zoom_and_selection", async ({ page, url, artifacts }) => {
  assert(existsSync(join(shared, "twin2k500_megastudy_human_vs_twin_long.csv")), `shared data at ${shared}`);
  const gpuRequests = [];
  page.on("request", (r) => { if (r.url().includes("silico-gpu")) gpuRequests.push(r.url()); });
  await compareMegastudy(page, url);
  assert(gpuRequests.length === 0, `renderer loaded before any large view opened: ${gpuRequests}`);

  await page.getByRole("button", { name: /Open agreement heatmap/ }).click();
  const view = page.getByTestId("large-view-agreement");
  await view.getByTestId("large-view-backend").filter({ hasText: /^(WebGL2|WebGPU) ·/ }).waitFor({ timeout: 60000 });
  assert(gpuRequests.some((u) => u.endsWith(".wasm")), `renderer wasm fetched on open: ${gpuRequests}`);
  const backend = await view.getByTestId("large-view-backend").innerText();
  assert(backend.startsWith("WebGL2"), `backend: ${backend}`);
  await page.waitForTimeout(500);
  const colours = await plotColours(page, "agreement");
  assert(colours > 20, `heatmap drawn: ${colours} colours`);
  await view.screenshot({ path: join(artifacts, "large-heatmap.png") });
  // The colour bar names the ends of the agreement scale.
  const lo = Number(await view.getByTestId("colour-bar-lo").innerText());
  const hi = Number(await view.getByTestId("colour-bar-hi").innerText());
  assert(Number.isFinite(lo) && Number.isFinite(hi) && lo < hi && lo >= -1 && hi <= 1, `colour bar ${lo} to ${hi}`);
  await noProtocolError(view, "heatmap loaded");

  // Hover names the exact cell.
  const overlay = view.getByTestId("large-view-overlay");
  const box = await overlay.boundingBox();
  await page.mouse.move(box.x + 64 + 100, box.y + 10 + 100);
  const tip = view.getByTestId("large-view-tooltip");
  await tip.waitFor({ timeout: 10000 });
  const text = await tip.innerText();
  assert(/^person \S+ · .+ · agreement /.test(text), `tooltip: ${text}`);
  await noProtocolError(view, "hover");

  // Wheel zoom changes the ticks (and the marks); the view stays drawn.
  const before = await plotColours(page, "agreement");
  await page.mouse.wheel(0, -600);
  await page.waitForTimeout(500);
  await view.screenshot({ path: join(artifacts, "large-heatmap-zoomed.png") });
  assert((await plotColours(page, "agreement")) > 10, "zoomed heatmap drawn");

  // Shift-drag selects respondents into the linked table.
  await page.keyboard.down("Shift");
  await page.mouse.move(box.x + 64 + 20, box.y + 10 + 20);
  await page.mouse.down();
  await page.mouse.move(box.x + 64 + 200, box.y + 10 + 120, { steps: 5 });
  await page.mouse.up();
  await page.keyboard.up("Shift");
  const selection = view.getByTestId("large-view-selection");
  await selection.waitFor({ timeout: 10000 });
  const selected = await selection.locator("p").innerText();
  const count = Number(selected.split(" ")[0]);
  assert(count > 0, `selected: ${selected}`);
  assert((await selection.locator("tbody tr").count()) === Math.min(count, 200), "table lists the selection");
  await view.screenshot({ path: join(artifacts, "large-heatmap-selected.png") });
  await noProtocolError(view, "selection");
  assert(before > 0, "colours counted");

  // Seriation reorders; PNG export downloads an image of the current zoom.
  await view.getByLabel("Order rows and columns").selectOption("seriation");
  await page.waitForTimeout(800);
  const [download] = await Promise.all([page.waitForEvent("download"), view.getByRole("button", { name: "Export PNG" }).click()]);
  assert(download.suggestedFilename() === "agreement.png", download.suggestedFilename());
  await download.saveAs(join(artifacts, "large-heatmap-export.png"));
  await noProtocolError(view, "seriation and export");

  // The scatter: every pair, coloured by study; density mode.
  await page.getByRole("button", { name: /Open human vs twin scatter/ }).click();
  const scatter = page.getByTestId("large-view-pairs");
  await scatter.getByTestId("large-view-backend").filter({ hasText: /^WebGL2 ·/ }).waitFor({ timeout: 60000 });
  await page.waitForTimeout(800);
  // A software renderer says so (its large scatters are placed on the CPU).
  const scatterBackend = await scatter.getByTestId("large-view-backend").innerText();
  assert(/swift/i.test(scatterBackend) === scatterBackend.endsWith(" · software"), `renderer label: ${scatterBackend}`);
  assert(!(await page.getByTestId("large-view-colour-bar").isVisible()), "a scatter has no colour bar");
  // Only the scatter's own marks and overlay: the heatmap's canvases left with it.
  const canvases = await scatter.locator(".large-view-plot canvas").count();
  assert(canvases === 2, `scatter plot holds ${canvases} canvases (marks + overlay expected)`);
  assert((await plotColours(page, "pairs")) > 8, "scatter drawn");
  await scatter.screenshot({ path: join(artifacts, "large-scatter.png") });
  await scatter.getByLabel("Density").check();
  await page.waitForTimeout(800);
  await scatter.screenshot({ path: join(artifacts, "large-scatter-density.png") });
  assert((await plotColours(page, "pairs")) > 8, "density drawn");
  await noProtocolError(scatter, "scatter and density");

  // Overriding the renderer: Canvas2D still draws (density, since there are >200k pairs).
  await scatter.getByLabel("Renderer").selectOption("canvas2d");
  await scatter.getByTestId("large-view-backend").filter({ hasText: /^Canvas2D ·/ }).waitFor({ timeout: 30000 });
  await page.waitForTimeout(1500);
  await scatter.screenshot({ path: join(artifacts, "large-scatter-canvas2d.png") });
  assert((await plotColours(page, "pairs")) > 8, "Canvas2D drawn");
  await noProtocolError(scatter, "Canvas2D");
});

test("large_view_messages_that_cannot_be_read_are_errors_both_ways", async ({ page, url, artifacts }) => {
  await page.goto(url);
  // The renderer answers what it cannot read with an error naming it: an unknown kind, the old
  // untyped style (no JSON text), and a heatmap whose values did not come beside its text.
  const replies = await page.evaluate(() => new Promise((resolve, reject) => {
    const worker = new Worker("./silico-gpu_loader.js");
    const seen = [];
    worker.onmessage = (e) => {
      const m = JSON.parse(e.data.text);
      seen.push(m);
      if (m.kind === "ready") {
        worker.postMessage({ text: JSON.stringify({ kind: "zoom", factor: 2 }) });
        worker.postMessage({ kind: "pick", seq: 1, px: 1, py: 2 });
        worker.postMessage({ text: JSON.stringify({ kind: "heatmap", rows: 2, columns: 2 }) });
      }
      if (seen.filter((s) => s.kind === "error").length === 3) {
        worker.terminate();
        resolve(seen);
      }
    };
    setTimeout(() => reject(new Error(`no answers: ${JSON.stringify(seen)}`)), 30000);
  }));
  const errors = replies.filter((m) => m.kind === "error").map((m) => m.message);
  assert(errors[0].startsWith("the renderer cannot read the message `zoom`: unknown variant `zoom`"), errors[0]);
  assert(errors[1].startsWith("the renderer cannot read an empty message"), errors[1]);
  assert(errors[2] === "the message `heatmap` came without its `values` buffer (for the renderer)", errors[2]);

  // The page shows a renderer message it cannot read instead of waiting on it: a stand-in
  // renderer (at the worker's URL) says a kind the page does not know.
  await page.route("**/silico-gpu_loader.js", (route) => route.fulfill({
    contentType: "text/javascript",
    body: `self.postMessage({ text: JSON.stringify({ kind: "hovered", seq: 1 }) });`,
  }));
  const EXAMPLE = "Immigration conjoint (Hainmueller, Hopkins & Yamamoto 2014)";
  await page.getByRole("button", { name: `Load example: ${EXAMPLE}` }).click();
  await page.getByRole("link", { name: EXAMPLE }).click();
  await page.getByRole("button", { name: "Generate and diagnose" }).click();
  await page.getByTestId("diagnostics").waitFor({ timeout: 30000 });
  await page.getByRole("button", { name: "Open level-pair heatmap (GPU)" }).click();
  const message = page.getByTestId("large-view-design-pairs").getByTestId("large-view-message");
  await message.waitFor({ timeout: 30000 });
  const shown = await message.innerText();
  await page.getByTestId("large-view-design-pairs").screenshot({ path: join(artifacts, "large-view-protocol-error.png") });
  assert(shown.startsWith("The page and its renderer disagree (the page cannot read the message `hovered`: unknown variant `hovered`"), shown);
});
