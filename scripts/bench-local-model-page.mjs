// The local model in the page, measured: `taskset -c 1 node scripts/bench-local-model-page.mjs DIST`
// (release build; taskset pins Chromium to one core). Talks to the model worker directly with the
// page's protocol: load time, prefill and decode tokens/s, the renderer's peak memory vs the model
// file, and benches/local_model.rs's 20-question survey for 10 personas with and without reuse of
// the shared prompt prefix (without: a per-call marker opens the system prompt, so no two prompts
// share more than the template's first tokens).
import { execFileSync } from "node:child_process";
import { readFileSync, statSync, mkdirSync, linkSync, existsSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";
import { serve, CHROMIUM_ARGS } from "../tests/e2e/harness.mjs";

const require = createRequire(import.meta.url);
const { chromium } = require("playwright-core");
const here = dirname(fileURLToPath(import.meta.url));
const dist = process.argv[2] ?? join(here, "../dist");
const model = execFileSync("bash", [join(here, "llm-server.sh"), "model"], { cwd: join(here, ".."), stdio: ["ignore", "pipe", "inherit"] }).toString().trim();
mkdirSync(join(dist, "models"), { recursive: true });
if (!existsSync(join(dist, "models", basename(model)))) linkSync(model, join(dist, "models", basename(model)));
const fileBytes = statSync(model).size;

const site = await serve(dist);
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS });
const page = await browser.newPage();
await page.goto(site.url);

/** Each renderer process's resident memory now and its peak (VmRSS, VmHWM), in MB by pid. */
function rendererMemory() {
  const each = {};
  for (const line of execFileSync("ps", ["-eo", "pid,args"]).toString().split("\n")) {
    if (!line.includes("--type=renderer")) continue;
    const pid = line.trim().split(/\s+/)[0];
    try {
      const status = readFileSync(`/proc/${pid}/status`, "utf8");
      const kb = (key) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
      each[pid] = Math.max(kb("VmRSS"), kb("VmHWM")) / 1024;
    } catch {}
  }
  return each;
}

// Chromium resets its processes' peak counters (VmHWM) itself from time to time, so one reading at
// the end can miss the peak: the renderers are sampled every 100 ms and the largest value kept.
let sampledPeak = 0;
const sampledByPid = {};
const sampler = setInterval(() => {
  for (const [pid, mb] of Object.entries(rendererMemory())) {
    sampledByPid[pid] = Math.max(sampledByPid[pid] ?? 0, Math.round(mb));
    sampledPeak = Math.max(sampledPeak, mb);
  }
}, 100);

/** The largest resident memory any renderer process has reached so far, in MB (RENDERERS=1 prints
 * each process's, to tell the page's process from short-lived ones). */
function rendererPeakMb() {
  for (const mb of Object.values(rendererMemory())) sampledPeak = Math.max(sampledPeak, mb);
  if (process.env.RENDERERS) console.error("renderer peaks (MB by pid):", JSON.stringify(sampledByPid));
  return sampledPeak;
}

/** Resident memory (VmRSS) of Chromium's renderer processes now, in MB. */
function rendererRssMb() {
  let most = 0;
  for (const line of execFileSync("ps", ["-eo", "pid,args"]).toString().split("\n")) {
    if (!line.includes("--type=renderer")) continue;
    try {
      const rss = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${line.trim().split(/\s+/)[0]}/status`, "utf8"));
      if (rss) most = Math.max(most, Number(rss[1]) / 1024);
    } catch {}
  }
  return most;
}

await page.evaluate(() => {
  window.__w = new Worker("./silico-model-worker_loader.js");
  window.__n = 0;
  window.__ask = (message, until) => new Promise((ok) => {
    const listen = (e) => { const m = JSON.parse(e.data); if (until(m)) { window.__w.removeEventListener("message", listen); ok(m); } };
    window.__w.addEventListener("message", listen);
    window.__w.postMessage({ text: JSON.stringify(message) });
  });
  window.__chat = async (body) => {
    const id = ++window.__n;
    const t0 = performance.now();
    const m = await window.__ask({ kind: "chat", id, body: JSON.stringify(body), deadline_ms: Date.now() + 600000 }, (m) => m.id === id);
    if (m.kind !== "reply") throw new Error(m.message);
    window.__wasm = Math.max(window.__wasm ?? 0, m.wasm_bytes ?? 0);
    return { ms: performance.now() - t0, usage: JSON.parse(m.body).usage };
  };
});
await page.evaluate(() => new Promise((ok) => window.__w.addEventListener("message", function f(e) { if (JSON.parse(e.data).kind === "started") { window.__w.removeEventListener("message", f); ok(); } })));
const before = rendererPeakMb();
const load = await page.evaluate(async (source) => {
  const t0 = performance.now();
  const m = await window.__ask({ kind: "load", source }, (m) => m.kind === "ready" || m.kind === "load_failed");
  return { ms: performance.now() - t0, m };
}, "/models/" + basename(model));
if (load.m.kind !== "ready") throw new Error(load.m.message);
const afterDownload = rendererPeakMb();
// Again, from this browser's storage, in a fresh worker (what every later visit costs; the app also
// starts a fresh worker to load a different model, since WebAssembly memory never shrinks).
await page.evaluate(() => new Promise((ok) => {
  window.__w.terminate();
  window.__w = new Worker("./silico-model-worker_loader.js");
  window.__w.addEventListener("message", function f(e) { if (JSON.parse(e.data).kind === "started") { window.__w.removeEventListener("message", f); ok(); } });
}));
const reload = await page.evaluate(async (source) => {
  const t0 = performance.now();
  await window.__ask({ kind: "load", source }, (m) => m.kind === "ready" || m.kind === "load_failed");
  return performance.now() - t0;
}, "/models/" + basename(model));

const words = "the survey asks people about their views on work family health money travel and the places they live in".split(" ");
const long = Array.from({ length: 220 }, (_, i) => words[i % words.length]).join(" ");
const speed = await page.evaluate(async (long) => {
  const prompt = (tag) => [{ role: "system", content: `Session ${tag}. You are a helpful assistant.` }, { role: "user", content: long }];
  await window.__chat({ model: "m", messages: prompt("warm"), max_tokens: 1, temperature: 0 });
  const pre = await window.__chat({ model: "m", messages: prompt("p1"), max_tokens: 1, temperature: 0 });
  const story = [{ role: "user", content: "Write a long story about a lighthouse keeper and a storm." }];
  const one = await window.__chat({ model: "m", messages: story, max_tokens: 1, temperature: 0 });
  const many = await window.__chat({ model: "m", messages: story, max_tokens: 65, temperature: 0 });
  return { pre, one, many };
}, long);
const prefillTps = speed.pre.usage.prompt_tokens / (speed.pre.ms / 1000);
// The second story call reuses the prompt (one token re-read), so its time is decoding.
const decodeTps = (speed.many.usage.completion_tokens - 1) / (speed.many.ms / 1000);

const early = { first_load_ms: Math.round(load.ms), load_from_storage_ms: Math.round(reload), prefill_tokens: speed.pre.usage.prompt_tokens,
  prefill_tok_s: +prefillTps.toFixed(1), decode_tokens: speed.many.usage.completion_tokens, decode_tok_s: +decodeTps.toFixed(1),
  renderer_peak_mb_before_load: Math.round(before), renderer_peak_mb_after_download_and_load: Math.round(afterDownload),
  renderer_peak_mb_after_load: Math.round(rendererPeakMb()) };
console.log(JSON.stringify(early));
// The survey of benches/local_model.rs (the study template's layout: fixed system prompt, then
// persona and question in the user turn). PERSONAS=10 QUESTIONS=20 is all of it (200 calls per
// pass); fewer for a quick run.
const shared = JSON.parse(readFileSync(join(here, "../benches/local_model_survey.json"), "utf8"));
const PERSONAS = Number(process.env.PERSONAS ?? 10), QUESTIONS = Number(process.env.QUESTIONS ?? 20);
// STYLE=twin: the same people as digital twins (their description and six earlier answers).
if (process.env.STYLE === "twin") shared.personas = shared.twin_personas;
await page.evaluate(([s, P, Q]) => {
  window.__run = async (reuse) => {
    const t0 = performance.now();
    let n = 0, prompt = 0, reused = 0;
    for (const persona of s.personas.slice(0, P)) for (const question of s.questions.slice(0, Q)) {
      const system = reuse ? s.system : `[call ${++n}] ${s.system}`;
      const user = s.user.replace("{persona}", persona).replace("{question}", question);
      const { usage } = await window.__chat({ model: "m", messages: [{ role: "system", content: system }, { role: "user", content: user }], max_tokens: 2, temperature: 0, logprobs: true, top_logprobs: 5 });
      prompt += usage.prompt_tokens;
      reused += usage.prompt_tokens_details.cached_tokens;
    }
    return { ms: performance.now() - t0, prompt, reused };
  };
}, [shared, PERSONAS, QUESTIONS]);
// Memory after each pass: the renderer's peak so far and the model worker's wasm memory.
const memoryNow = async () => ({ renderer_peak_mb: Math.round(rendererPeakMb()), renderer_rss_mb: Math.round(rendererRssMb()),
  worker_wasm_mb: Math.round(await page.evaluate(() => window.__wasm / 1048576)) });
const survey = {};
survey.reuse = await page.evaluate(() => window.__run(true));
console.log(JSON.stringify({ after_pass_with_reuse: await memoryNow() }));
survey.fresh = await page.evaluate(() => window.__run(false));
console.log(JSON.stringify({ after_pass_without_reuse: await memoryNow() }));
const peak = rendererPeakMb();
// The model worker's WebAssembly memory (weights, cache, working memory): the rest of the
// renderer's peak is the browser's own (JavaScript heaps, code, buffers).
const wasmMb = await page.evaluate(() => window.__wasm / 1048576);
console.log(JSON.stringify({
  model_file_mb: +(fileBytes / 1e6).toFixed(1),
  first_load_ms: Math.round(load.ms), load_from_storage_ms: Math.round(reload),
  prefill_tokens: speed.pre.usage.prompt_tokens, prefill_tok_s: +prefillTps.toFixed(1),
  decode_tokens: speed.many.usage.completion_tokens, decode_tok_s: +decodeTps.toFixed(1),
  renderer_peak_mb_before_load: Math.round(before), renderer_peak_mb_after: Math.round(peak),
  peak_increase_vs_file: +((peak - before) / (fileBytes / 1048576)).toFixed(2),
  worker_wasm_mb_after: Math.round(wasmMb), renderer_rss_mb_now: Math.round(rendererRssMb()),
  survey_calls: PERSONAS * QUESTIONS, persona_style: process.env.STYLE ?? "description", survey_prompt_tokens: survey.fresh.prompt, survey_tokens_reused: survey.reuse.reused,
  survey_with_reuse_s: +(survey.reuse.ms / 1000).toFixed(1), survey_without_reuse_s: +(survey.fresh.ms / 1000).toFixed(1),
  reuse_speedup: +(survey.fresh.ms / survey.reuse.ms).toFixed(2),
}, null, 1));
clearInterval(sampler);
await browser.close();
await site.close();
