// The local model's wasm build timed under Node (the V8 of Chromium, without the page):
//   scripts/bench-local-model-wasm.mjs [--build] [--profile OUT.cpuprofile] [--survey P Q]
// --build compiles examples/local_model_wasm.rs for wasm32 (release) and runs wasm-bindgen into
// target/local-model-wasm/; without it the last build is used. Pin to one core with `taskset -c 1`.
// Prints prefill and decode tokens/s (the same prompts as scripts/bench-local-model-page.mjs) and,
// with --survey, a P-persona × Q-question survey with and without prefix reuse. --profile writes a
// V8 CPU profile and prints the wasm functions' self time, largest first.
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync, mkdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";
import { Session } from "node:inspector/promises";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");
const args = process.argv.slice(2);
const flag = (name) => args.indexOf(name);
const target = process.env.CARGO_TARGET_DIR ?? join(root, "target");
const out = join(target, "local-model-wasm");

if (flag("--build") >= 0) {
  execFileSync("cargo", ["build", "--release", "--target", "wasm32-unknown-unknown", "--example", "local_model_wasm"], { cwd: root, stdio: "inherit" });
  mkdirSync(out, { recursive: true });
  execFileSync("wasm-bindgen", ["--target", "nodejs", "--out-dir", out, join(target, "wasm32-unknown-unknown/release/examples/local_model_wasm.wasm")], { stdio: "inherit" });
}
const wasm = createRequire(import.meta.url)(join(out, "local_model_wasm.js"));
const model = execFileSync("bash", [join(here, "fetch-model.sh")], { cwd: root, stdio: ["ignore", "pipe", "inherit"] }).toString().trim();

const profileAt = flag("--profile");
let session;
if (profileAt >= 0) {
  session = new Session();
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.setSamplingInterval", { interval: 200 });
  await session.post("Profiler.start");
}

const loadMs = wasm.load(readFileSync(model));
const memoryAfterLoad = wasm.memory_bytes();
const chat = (body) => JSON.parse(wasm.chat(JSON.stringify(body)));
const words = "the survey asks people about their views on work family health money travel and the places they live in".split(" ");
const long = Array.from({ length: 220 }, (_, i) => words[i % words.length]).join(" ");
const prompt = (tag) => [{ role: "system", content: `Session ${tag}. You are a helpful assistant.` }, { role: "user", content: long }];
chat({ model: "m", messages: prompt("warm"), max_tokens: 1, temperature: 0 });
const pre = chat({ model: "m", messages: prompt("p1"), max_tokens: 1, temperature: 0 });
const story = [{ role: "user", content: "Write a long story about a lighthouse keeper and a storm." }];
chat({ model: "m", messages: story, max_tokens: 1, temperature: 0 });
const many = chat({ model: "m", messages: story, max_tokens: 65, temperature: 0 });
const result = {
  load_ms: Math.round(loadMs),
  prefill_tokens: pre.usage.prompt_tokens, prefill_tok_s: +(pre.usage.prompt_tokens / (pre.ms / 1000)).toFixed(1),
  decode_tokens: many.usage.completion_tokens, decode_tok_s: +((many.usage.completion_tokens - 1) / (many.ms / 1000)).toFixed(1),
};
const surveyAt = flag("--survey");
if (surveyAt >= 0) {
  // benches/local_model.rs's survey, as in scripts/bench-local-model-page.mjs.
  const s = JSON.parse(readFileSync(join(root, "benches/local_model_survey.json"), "utf8"));
  const [P, Q] = [Number(args[surveyAt + 1]), Number(args[surveyAt + 2])];
  const run = (reuse) => {
    const t0 = performance.now();
    let n = 0, prompt = 0, reused = 0;
    for (const persona of s.personas.slice(0, P)) for (const question of s.questions.slice(0, Q)) {
      const system = reuse ? s.system : `[call ${++n}] ${s.system}`;
      const user = s.user.replace("{persona}", persona).replace("{question}", question);
      const { usage } = chat({ model: "m", messages: [{ role: "system", content: system }, { role: "user", content: user }], max_tokens: 2, temperature: 0, logprobs: true, top_logprobs: 5 });
      prompt += usage.prompt_tokens;
      reused += usage.prompt_tokens_details.cached_tokens;
    }
    return { ms: performance.now() - t0, prompt, reused };
  };
  const reuse = run(true), fresh = run(false);
  Object.assign(result, { survey_calls: P * Q, survey_prompt_tokens: fresh.prompt, survey_tokens_reused: reuse.reused,
    survey_with_reuse_s: +(reuse.ms / 1000).toFixed(2), survey_without_reuse_s: +(fresh.ms / 1000).toFixed(2), reuse_speedup: +(fresh.ms / reuse.ms).toFixed(2) });
}
Object.assign(result, { model_file_mb: +(statSync(model).size / 1048576).toFixed(1), wasm_memory_mb_after_load: Math.round(memoryAfterLoad / 1048576), wasm_memory_mb_at_end: Math.round(wasm.memory_bytes() / 1048576) });
console.log(JSON.stringify(result));

if (session) {
  const { profile } = await session.post("Profiler.stop");
  writeFileSync(args[profileAt + 1], JSON.stringify(profile));
  const self = new Map();
  const dt = profile.timeDeltas;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  let total = 0;
  profile.samples.forEach((id, i) => {
    const name = byId.get(id).callFrame.functionName || "(anonymous)";
    const t = dt[i] ?? 0;
    total += t;
    self.set(name, (self.get(name) ?? 0) + t);
  });
  const rows = [...self].sort((a, b) => b[1] - a[1]).slice(0, 30);
  for (const [name, t] of rows) console.log(`${(100 * t / total).toFixed(1).padStart(5)}%  ${(t / 1000).toFixed(0).padStart(6)} ms  ${name.slice(0, 150)}`);
}
