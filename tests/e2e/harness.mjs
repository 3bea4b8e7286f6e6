// A small test harness for end-to-end tests: serves the built app, drives Debian's Chromium through
// playwright-core, runs each test in a fresh browser context (so storage starts empty), and prints a
// cargo-style summary line that scripts/test.sh counts.
import { createServer } from "node:http";
import { readFile, stat, mkdir } from "node:fs/promises";
import { extname, join, normalize, resolve } from "node:path";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const { chromium } = require("playwright-core");

const MIME = {
  ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".mjs": "text/javascript",
  ".wasm": "application/wasm", ".css": "text/css", ".json": "application/json", ".svg": "image/svg+xml",
  ".csv": "text/csv", ".md": "text/markdown", ".png": "image/png", ".gguf": "application/octet-stream",
};

export const CHROMIUM_ARGS = [
  "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
  "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
  // WebGL2 on SwiftShader for the large views (WebGPU is left off: here it cannot present to a canvas).
  "--enable-unsafe-swiftshader",
];

/** Serves `root` on 127.0.0.1 at a free high port; resolves to { url, close }. */
export async function serve(root) {
  root = resolve(root);
  const server = createServer(async (req, res) => {
    try {
      let path = decodeURIComponent(new URL(req.url, "http://x").pathname);
      if (path.endsWith("/")) path += "index.html";
      const file = normalize(join(root, path));
      if (!file.startsWith(root)) throw new Error("outside root");
      const info = await stat(file);
      if (!info.isFile()) throw new Error("not a file");
      res.writeHead(200, { "content-type": MIME[extname(file)] ?? "application/octet-stream" });
      res.end(await readFile(file));
    } catch {
      res.writeHead(404, { "content-type": "text/plain" });
      res.end("not found");
    }
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((ok) => server.close(ok)) };
}

const tests = [];
export function test(name, fn) {
  tests.push({ name, fn });
}

export function assert(condition, message) {
  if (!condition) throw new Error(`assertion failed: ${message}`);
}

/** Types `value` into the input labelled exactly `label` and fires `change`, on which the app takes it. */
export async function fillAndChange(page, label, value) {
  const input = page.getByLabel(label, { exact: true });
  await input.fill(String(value));
  await input.dispatchEvent("change");
}

/**
 * Sets up the Field tab (already open) for an OpenAI-compatible endpoint such as
 * scripts/fault-server.mjs. A study without an endpoint starts on the in-page model, whose form has
 * no base URL, so the provider is chosen first. `respondents`, `parts` and `callsAtOnce` are set when
 * given, then each `{ label: value }` of `fields` in order (e.g. "Max tokens", the API key).
 */
export async function configureEndpoint(page, { baseUrl, model, respondents, parts, callsAtOnce, fields = {} }) {
  // Exact: while the Field tab is still opening, the Design tab's "Child Care Provider" level
  // controls would match a loose "Provider" (and strict mode throws instead of waiting).
  await page.getByLabel("Provider", { exact: true }).selectOption("openai");
  await page.getByLabel("Base URL", { exact: true }).waitFor();
  await fillAndChange(page, "Base URL", baseUrl);
  await fillAndChange(page, "Model", model);
  if (respondents !== undefined) await fillAndChange(page, "Respondents", respondents);
  if (parts !== undefined) await page.getByLabel("Parts").selectOption(parts);
  if (callsAtOnce !== undefined) await fillAndChange(page, "Calls at once", callsAtOnce);
  for (const [label, value] of Object.entries(fields)) await fillAndChange(page, label, value);
}

/** Counts the distinct colours in a PNG screenshot by drawing it in the page: a blank page has 1-2. */
export async function distinctColours(page, png) {
  const dataUrl = "data:image/png;base64," + png.toString("base64");
  return page.evaluate(async (src) => {
    const img = new Image();
    img.src = src;
    await img.decode();
    const canvas = document.createElement("canvas");
    canvas.width = img.width;
    canvas.height = img.height;
    const ctx = canvas.getContext("2d");
    ctx.drawImage(img, 0, 0);
    const data = ctx.getImageData(0, 0, img.width, img.height).data;
    const seen = new Set();
    for (let i = 0; i < data.length; i += 4 * 7) seen.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
    return seen.size;
  }, dataUrl);
}

// The bundled example most tests open, and the way a user opens its Analyze tab.
export const IMMIGRATION = "Immigration conjoint (Hainmueller, Hopkins & Yamamoto 2014)";

export async function openExampleAnalyze(page, url, example = IMMIGRATION) {
  await page.goto(url);
  await page.getByRole("button", { name: `Load example: ${example}` }).click();
  await page.getByRole("link", { name: example }).click();
  await page.getByRole("navigation", { name: "Study stages" }).getByRole("link", { name: "Analyze" }).click();
  await page.getByRole("heading", { name: "Estimate effects" }).waitFor();
}

// The text of the estimates table's first row for `level`.
export function estimateRowText(page, level) {
  return page.getByTestId("estimates").locator("tbody tr").filter({ has: page.getByRole("cell", { name: level, exact: true }) }).first().innerText();
}

export async function run({ root, artifacts }) {
  await mkdir(artifacts, { recursive: true });
  const server = await serve(root);
  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS });
  let passed = 0;
  const failures = [];
  // E2E_ONLY=part runs only the tests whose name contains it (while developing).
  const only = process.env.E2E_ONLY;
  for (const { name, fn } of tests) {
    if (only && !name.includes(only)) continue;
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    const page = await context.newPage();
    const consoleErrors = [];
    page.on("pageerror", (e) => consoleErrors.push(String(e)));
    const started = Date.now();
    try {
      await fn({ page, context, url: server.url, root, artifacts, consoleErrors });
      if (consoleErrors.length) throw new Error("uncaught errors in the page: " + consoleErrors.join("; "));
      passed += 1;
      console.log(`test ${name} ... ok (${Date.now() - started} ms)`);
    } catch (error) {
      failures.push(name);
      console.log(`test ${name} ... FAILED\n${error.stack ?? error}`);
      await page.screenshot({ path: join(artifacts, `failed-${name.replace(/\W+/g, "-")}.png`) }).catch(() => {});
    }
    await context.close();
  }
  await browser.close();
  await server.close();
  const status = failures.length ? "FAILED" : "ok";
  console.log(`\ntest result: ${status}. ${passed} passed; ${failures.length} failed`);
  if (failures.length) {
    console.log("failures: " + failures.join(", "));
    process.exit(1);
  }
}
