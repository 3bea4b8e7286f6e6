// The Field tab, end to end against the project's fault-injecting protocol server (a real HTTP
// server speaking Chat Completions; scripts/fault-server.mjs): faults, reload-and-resume, nothing
// paid twice, the AMCEs recovering the server's known utilities, keys kept out of everything,
// replies shown as text.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { test, assert, configureEndpoint, distinctColours, fillAndChange as fill } from "./harness.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "../..");
const STUDY = readFileSync(join(root, "tests/fixtures/fault-conjoint.json"));

// Linear probability utilities: under the fully randomised design the AMCE of a level is its utility.
const UTILITIES = {
  Education: { None: 0.0, "High school": 0.1, College: 0.2 },
  Job: { Cleaner: 0.0, Teacher: 0.05, Doctor: 0.15 },
  Origin: { Aland: 0.0, Bland: -0.1 },
};

/** Starts scripts/fault-server.mjs on a free port; resolves to { url, stats(), stop() }. */
export async function faultServer(args) {
  const child = spawn("node", [join(root, "scripts/fault-server.mjs"), "--port", "0", ...args], { stdio: ["ignore", "pipe", "inherit"] });
  const base = await new Promise((ok, fail) => {
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) ok(m[1]);
    });
    child.on("exit", (code) => fail(new Error(`fault server exited with ${code}`)));
  });
  const origin = base.replace(/\/v1$/, "");
  return {
    url: base,
    stats: async () => (await fetch(`${origin}/stats`)).json(),
    stop: () => child.kill(),
  };
}

async function importStudy(page, url, buffer) {
  await page.goto(url);
  await page.locator("#import-study").setInputFiles({ name: "fault-conjoint.json", mimeType: "application/json", buffer });
  await page.getByTestId("notice").waitFor();
  await page.getByRole("link", { name: "Fault-server conjoint" }).click();
  await page.getByRole("navigation", { name: "Study stages" }).getByRole("link", { name: "Field" }).click();
}

async function settled(page) {
  const text = await page.getByTestId("field-counts").innerText();
  const m = /^(\d+) of (\d+) settled/.exec(text);
  return m ? { done: Number(m[1]), total: Number(m[2]), text } : { done: 0, total: 0, text };
}

async function waitForPhase(page, pattern, timeout = 120000) {
  await page.getByTestId("field-phase").filter({ hasText: pattern }).waitFor({ timeout });
}

test("field_conjoint_with_faults_resume_after_reload_pay_once_recover_utilities", async ({ page, url, artifacts }) => {
  const server = await faultServer(["--faults", "0.2", "--retry-after", "1", "--answer-delay-ms", "40", "--seed", "7",
    "--utilities", JSON.stringify(UTILITIES)]);
  try {
    await importStudy(page, url, STUDY);
    await configureEndpoint(page, {
      baseUrl: server.url, model: "fault-server", respondents: 500, parts: "conjoint", callsAtOnce: 12,
      fields: { "First retry after (ms)": 100, "Time limit per call (s)": 5 },
    });

    await page.getByRole("button", { name: "Preview the first request" }).click();
    const preview = await page.getByTestId("field-preview").innerText();
    assert(preview.includes("2000 call(s) for 500 respondent(s)"), `preview counts: ${preview.slice(0, 200)}`);
    assert(preview.includes(`POST ${server.url}/chat/completions`) && preview.includes("Profile A"), "preview shows the exact request");
    assert(preview.includes("No persona data"), "preview says which data leave the browser");

    await page.getByRole("button", { name: "Start fielding" }).click();
    await waitForPhase(page, "Running");
    // Reload mid-run: the tab is gone with its calls in flight; what was settled is stored.
    let now = await settled(page);
    while (now.done < 600) {
      await page.waitForTimeout(100);
      now = await settled(page);
    }
    await page.screenshot({ path: join(artifacts, "field-running.png"), fullPage: true });
    await page.reload();
    await waitForPhase(page, "Stopped before the end", 30000);
    const reopened = await settled(page);
    assert(reopened.done >= 600 && reopened.done < 2000, `kept after reload: ${reopened.text}`);
    assert(reopened.text.includes("kept from before"), reopened.text);
    await page.getByRole("button", { name: "Resume" }).click();
    await waitForPhase(page, "Finished", 180000);
    const end = await settled(page);
    assert(end.done === 2000 && end.total === 2000, `all settled: ${end.text}`);
    // Every settled call in the GPU latency scatter (WebGL2 in this Chromium), drawn under its axes.
    await page.getByRole("button", { name: "Open latency scatter" }).click();
    const latency = page.getByTestId("large-view-latency");
    await latency.getByTestId("large-view-backend").filter({ hasText: /^(WebGL2|WebGPU) ·/ }).waitFor({ timeout: 60000 });
    await page.waitForTimeout(800);
    const drawn = await distinctColours(page, await latency.locator(".large-view-plot").screenshot());
    assert(drawn > 4, `latency scatter drawn: ${drawn} colours`);
    await latency.screenshot({ path: join(artifacts, "field-latency-scatter.png") });
    await page.getByTestId("field-latency").getByRole("button", { name: "Close", exact: true }).click();
    // Calls on the wire at the reload may have been answered (and charged) while the page went
    // away: they end failed with that reason instead of being paid twice. Every other call is
    // answered: six attempts make a 20% fault rate harmless.
    const failedCount = Number(/(\d+) failed/.exec(end.text)[1]);
    const interrupted = await page.evaluate(async () => {
      const db = await new Promise((ok) => { const r = indexedDB.open("silico"); r.onsuccess = () => ok(r.result); });
      const all = await new Promise((ok) => { const r = db.transaction("field_records").objectStore("field_records").getAll(); r.onsuccess = () => ok(r.result); });
      return all.map((x) => JSON.parse(x.json)).filter((r) => r.status === "failed" && r.reason.startsWith("interrupted")).length;
    });
    assert(failedCount <= 12, `at most the 12 calls in flight are interrupted: ${end.text}`);
    if (failedCount !== interrupted) {
      const reasons = await page.evaluate(async () => {
        const db = await new Promise((ok) => { const r = indexedDB.open("silico"); r.onsuccess = () => ok(r.result); });
        const all = await new Promise((ok) => { const r = db.transaction("field_records").objectStore("field_records").getAll(); r.onsuccess = () => ok(r.result); });
        return all.map((x) => JSON.parse(x.json)).filter((r) => r.status === "failed").slice(0, 5).map((r) => `${r.attempts}: ${r.reason}`);
      });
      assert(false, `only interrupted calls failed: ${end.text}; ${reasons.join(" | ")}`);
    }
    await page.getByTestId("field-message").filter({ hasText: "Answers saved in the study as llm-fault-server" }).waitFor();
    await page.screenshot({ path: join(artifacts, "field-finished.png"), fullPage: true });

    const stats = await server.stats();
    const paidTwice = stats.items.filter((i) => i.answered > 1);
    const faults = Object.values(stats.totals.faults).reduce((a, b) => a + b, 0);
    // Interrupted calls may never have reached the server (the browser queues beyond 6 connections).
    assert(stats.items.length >= 2000 - failedCount, `the server saw every answered call: ${stats.items.length}`);
    assert(paidTwice.length === 0, `no call paid twice: ${JSON.stringify(paidTwice.slice(0, 3))}`);
    assert(stats.items.filter((i) => i.answered === 1).length >= 2000 - failedCount, "every answered call was paid once");
    assert(faults / stats.totals.requests > 0.12, `faults were injected: ${faults} of ${stats.totals.requests}`);

    // The answers feed the analysis: AMCEs recover the server's utilities within their 95% CIs.
    await page.getByRole("navigation", { name: "Study stages" }).getByRole("link", { name: "Analyze" }).click();
    await page.getByRole("heading", { name: "Estimate effects" }).waitFor();
    await page.getByLabel("Outcome").selectOption("chosen");
    await page.getByLabel("Respondent id (clusters)").selectOption("respondent");
    await page.getByRole("button", { name: "Estimate" }).click();
    await page.getByTestId("estimates").waitFor({ timeout: 30000 });
    let covered = 0;
    const checked = [];
    for (const [, levels] of Object.entries(UTILITIES)) {
      for (const [level, utility] of Object.entries(levels)) {
        if (utility === 0) continue;
        const row = await page.getByTestId("estimates").locator("tbody tr")
          .filter({ has: page.getByRole("cell", { name: level, exact: true }) }).first().innerText();
        const numbers = row.match(/-?\d+\.\d+/g).map(Number);
        const [estimate] = numbers;
        const ci = /\[(-?\d+\.\d+),\s*(-?\d+\.\d+)\]/.exec(row);
        const [lo, hi] = ci ? [Number(ci[1]), Number(ci[2])] : [estimate - 0.06, estimate + 0.06];
        checked.push(`${level}: ${estimate} [${lo}, ${hi}] vs ${utility}`);
        if (lo <= utility && utility <= hi) covered += 1;
        assert(Math.abs(estimate - utility) < 0.06, `${level}: ${row}`);
      }
    }
    // Five 95% intervals: all five cover with probability 0.77, four or more with 0.98.
    assert(covered >= 4, `intervals covering the utilities: ${checked.join("; ")}`);
  } finally {
    server.stop();
  }
});

test("field_keys_stay_secret_and_replies_are_text", async ({ page, context, url }) => {
  const KEY = "sk-e2e-SECRET-4242";
  const WRONG = "sk-wrong-KEY-9999";
  const server = await faultServer(["--require-key", KEY, "--html-replies"]);
  const logs = [];
  page.on("console", (m) => logs.push(m.text()));
  page.on("request", (r) => logs.push(r.url()));
  try {
    await importStudy(page, url, STUDY);
    const title = await page.title();
    await configureEndpoint(page, { baseUrl: server.url, model: "fault-server", respondents: 3, parts: "survey" });
    // A wrong key: the server echoes it in its error; the page must not show it anywhere.
    await fill(page, "API key (kept in this tab only)", WRONG);
    await page.getByRole("button", { name: "Start fielding" }).click();
    await waitForPhase(page, "Finished");
    const failedText = await page.getByTestId("field-records").innerText();
    assert(failedText.includes("401") || failedText.toLowerCase().includes("key"), `401 reason shown: ${failedText}`);
    assert(!(await page.content()).includes(WRONG), "the echoed wrong key is redacted");

    await page.getByRole("button", { name: "Discard this run" }).click();
    await fill(page, "API key (kept in this tab only)", KEY);
    await page.getByRole("button", { name: "Preview the first request" }).click();
    const preview = await page.getByTestId("field-preview").innerText();
    assert(preview.includes("[redacted]") && !preview.includes(KEY), "the preview hides the key");
    await page.getByRole("button", { name: "Start fielding" }).click();
    await waitForPhase(page, "Finished");
    const records = page.getByTestId("field-records");
    const text = await records.innerText();
    assert(text.includes("<img src=x onerror="), `the reply is shown as text: ${text.slice(0, 300)}`);
    assert((await records.locator("img").count()) === 0, "no element made from a reply");
    assert((await page.title()) === title, "the reply's onerror never ran");
    const counts = await page.getByTestId("field-counts").innerText();
    assert(/^3 of 3 settled/.test(counts), `every reply kept: ${counts}`);

    // Nothing the page writes or offers holds the key.
    const downloads = [];
    for (const name of ["Records (CSV)", "Records (JSONL)", "Response tables (CSV)", "OpenAI batch file (JSONL)", "Anthropic batch requests (JSONL)"]) {
      const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name }).click()]);
      const body = readFileSync(await download.path(), "utf8");
      assert(body.length > 0, `${name} is not empty`);
      downloads.push([name, body]);
    }
    for (const [name, body] of downloads) assert(!body.includes(KEY), `${name} holds no key`);
    assert(downloads[0][1].includes("onerror"), "the records CSV keeps the raw reply");
    const stored = await page.evaluate(async () => {
      const db = await new Promise((ok, fail) => { const r = indexedDB.open("silico"); r.onsuccess = () => ok(r.result); r.onerror = fail; });
      const out = [];
      for (const name of db.objectStoreNames) {
        const all = await new Promise((ok) => { const r = db.transaction(name).objectStore(name).getAll(); r.onsuccess = () => ok(r.result); });
        out.push(JSON.stringify(all));
      }
      return out.join("\n") + JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }) + location.href;
    });
    assert(stored.includes("onerror"), "the stores were read");
    assert(!stored.includes(KEY) && !stored.includes(WRONG), "no key in IndexedDB, web storage or the URL");
    assert(!logs.some((l) => l.includes(KEY)), "no key in console messages or request URLs");

    // Remembering is opt-in and puts the key in localStorage only.
    await page.getByLabel("Remember on this device").check();
    await page.getByRole("button", { name: "Discard this run" }).click();
    await page.getByRole("button", { name: "Start fielding" }).click();
    await waitForPhase(page, "Finished");
    assert(await page.evaluate((k) => Object.values(localStorage).includes(k), KEY), "remembered on request");
    await context.clearCookies();
  } finally {
    server.stop();
  }
});

/**
 * The Field tab's selects show their longest option whole: its text (measured in the select's own
 * font) fits inside the box beside the arrow. A select's scrollWidth never exceeds its clientWidth
 * (it clips inside), so that check alone proves nothing; it is kept as the minimum.
 */
async function selectsThatClip(page) {
  return page.evaluate(() => {
    const ctx = document.createElement("canvas").getContext("2d");
    return [...document.querySelectorAll("fieldset.panel select")].flatMap((s) => {
      const style = getComputedStyle(s);
      ctx.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
      const longest = Math.max(...[...s.options].map((o) => ctx.measureText(o.text).width));
      // The drop-down arrow takes about 20 px of the content box (Chromium's menulist).
      const room = s.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight) - 20;
      return s.scrollWidth > s.clientWidth || longest > room
        ? [`${s.id}: longest option ${Math.ceil(longest)} px in ${Math.floor(room)} px`] : [];
    });
  });
}

test("field_long_replies_get_the_room_are_clamped_and_selects_fit_their_text", async ({ page, url, artifacts }) => {
  const server = await faultServer(["--long-replies", "500"]);
  try {
    await importStudy(page, url, STUDY);
    await page.getByLabel("Provider", { exact: true }).waitFor();
    let clipping = await selectsThatClip(page);
    assert(clipping.length === 0, `the local model's form: ${clipping.join("; ")}`);
    await configureEndpoint(page, { baseUrl: server.url, model: "fault-server", respondents: 3 });
    clipping = await selectsThatClip(page);
    assert(clipping.length === 0, `the endpoint form: ${clipping.join("; ")}`);

    await page.getByRole("button", { name: "Start fielding" }).click();
    await waitForPhase(page, "Finished");
    const table = page.getByTestId("field-records");
    const rows = table.locator("tbody tr");
    assert((await rows.count()) === 12, `the latest 12 of 15 calls: ${await rows.count()}`);
    const reply = rows.first().locator("td.reply");
    const reason = rows.first().locator("td.reason");
    const text = await reply.locator(".clamp").textContent();
    assert(text.length > 450, `the whole reply is in the page: ${text.length} characters`);
    const [replyBox, reasonBox] = [await reply.boundingBox(), await reason.boundingBox()];
    assert(replyBox.width > 1.5 * reasonBox.width, `the reply has the room: ${replyBox.width} px vs the reason's ${reasonBox.width} px`);
    // Clamped to four lines (plus the "show all" line): twelve long replies stay about a screen.
    const line = await reply.locator(".clamp").evaluate((e) => parseFloat(getComputedStyle(e).lineHeight));
    assert(replyBox.height < 8 * line, `a 500-character reply is clamped: ${replyBox.height} px, lines of ${line} px`);
    const tableHeight = (await table.boundingBox()).height;
    assert(tableHeight < 12 * 8 * line, `the table stays bounded: ${tableHeight} px`);
    const pageHeight = await page.evaluate(() => document.documentElement.scrollHeight);
    assert(pageHeight < 5000, `the page stays bounded: ${pageHeight} px`);
    // Words are whole: the clamp wraps at spaces, not inside "thinking".
    const words = await reply.locator(".clamp").evaluate((e) => {
      const range = document.createRange();
      const node = e.firstChild;
      const at = node.textContent.indexOf("thinking");
      range.setStart(node, at);
      range.setEnd(node, at + "thinking".length);
      return range.getClientRects().length;
    });
    assert(words === 1, `"thinking" is on one line: ${words} boxes`);
    await table.screenshot({ path: join(artifacts, "field-long-replies.png") });

    // "show all" opens one reply (and only that one), still as text.
    const show = rows.first().locator("td.reply").getByRole("button", { name: "show all" });
    await show.click();
    const opened = await rows.first().locator("td.reply").boundingBox();
    assert(opened.height > replyBox.height + 2 * line, `open: ${opened.height} px vs ${replyBox.height} px`);
    assert((await rows.nth(1).locator("td.reply").boundingBox()).height < 8 * line, "the next reply stays clamped");
    await rows.first().locator("td.reply").getByRole("button", { name: "show less" }).click();

    // On a phone each reply is a card: nothing wider than the screen, the reply still clamped.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForTimeout(200);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    const card = await rows.first().locator("td.reply").boundingBox();
    assert(card.width > 250 && card.height < 10 * line, `a reply card on a phone: ${card.width}×${card.height} px`);
    await table.screenshot({ path: join(artifacts, "field-long-replies-phone.png") });
    assert(overflow <= 0, `nothing sticks out sideways on a phone: ${overflow} px`);
  } finally {
    server.stop();
  }
});

/** Starts the real small model (scripts/llm-server.sh: SmolLM2-135M behind llama-cpp-python). */
async function modelServer() {
  const { execFileSync } = await import("node:child_process");
  execFileSync("bash", [join(root, "scripts/llm-server.sh"), "build"], { stdio: ["ignore", "ignore", "inherit"] });
  const port = 18900 + (process.pid % 500);
  const child = spawn("bash", [join(root, "scripts/llm-server.sh"), String(port)], { stdio: "ignore", detached: true });
  const url = `http://127.0.0.1:${port}/v1`;
  const deadline = Date.now() + 120000;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`${url}/models`)).ok) return { url, stop: () => process.kill(-child.pid) };
    } catch {}
    await new Promise((ok) => setTimeout(ok, 300));
  }
  process.kill(-child.pid);
  throw new Error("the model server did not answer within 120 s");
}

test("field_a_real_model_survey_and_conjoint_with_logprobs", async ({ page, url, artifacts }) => {
  const server = await modelServer();
  try {
    await importStudy(page, url, STUDY);
    await configureEndpoint(page, {
      baseUrl: server.url, model: "SmolLM2-135M-Instruct", respondents: 2,
      fields: { "Max tokens": 4, "Temperature": 0, "First-token log-probabilities (top k, 0 = off)": 10, "Calls at once": 1 },
    });
    await page.getByRole("button", { name: "Start fielding" }).click();
    await waitForPhase(page, "Finished", 300000);
    const end = await settled(page);
    // 2 respondents × (4 conjoint tasks + 1 survey question).
    assert(end.done === 10 && end.total === 10, end.text);
    assert(/ 0 failed/.test(end.text), `the real server answered every call: ${end.text}`);
    await page.screenshot({ path: join(artifacts, "field-real-model.png"), fullPage: true });
    const records = await page.evaluate(async () => {
      const db = await new Promise((ok) => { const r = indexedDB.open("silico"); r.onsuccess = () => ok(r.result); });
      const all = await new Promise((ok) => { const r = db.transaction("field_records").objectStore("field_records").getAll(); r.onsuccess = () => ok(r.result); });
      return all.map((x) => JSON.parse(x.json));
    });
    assert(records.length === 10, `10 stored records, got ${records.length}`);
    for (const r of records) {
      assert(r.model === "SmolLM2-135M-Instruct" && r.messages.length === 2 && r.shown.length >= 2, `record shape: ${r.custom_id}`);
      assert(typeof r.raw_reply === "string" && r.tokens_in > 0, `raw reply and tokens kept: ${r.custom_id}`);
      assert(r.first_token_logprobs?.length > 0, `first-token logprobs kept: ${r.custom_id}`);
    }
    const distributions = records.filter((r) => r.distribution);
    assert(distributions.length >= 8, `label distributions from logprobs: ${distributions.length} of 10`);
    for (const r of distributions) {
      const total = r.distribution.probabilities.reduce((a, [, p]) => a + p, 0);
      assert(Math.abs(total - 1) < 1e-9, `normalised over the labels: ${total}`);
      assert(r.distribution.label_mass > 0 && r.distribution.label_mass <= 1 + 1e-9, `label mass: ${r.distribution.label_mass}`);
      assert(r.distribution.probabilities.map(([c]) => c).join() === r.shown.map((o) => o.code).join(), "in shown order");
    }
    const conjoint = records.filter((r) => r.item.kind === "task");
    const survey = records.filter((r) => r.item.kind === "question");
    assert(conjoint.length === 8 && survey.length === 2, "both parts fielded");
    assert(conjoint.every((r) => r.shown.every((o) => o.levels.length === 3)), "profiles keep their levels");

    // The position check: this small model answers "A"/"Profile A" far more often than 1/k.
    await page.getByRole("button", { name: "Check answer positions" }).click();
    const row = await page.getByTestId("position-bias").locator("tbody tr").first().innerText();
    const first = Number(/1: (\d\.\d+)/.exec(row)?.[1]);
    assert(row.startsWith("Conjoint tasks") && first > 0.5, `profile position bias shown: ${row}`);
    const q1 = await page.getByTestId("position-bias").locator("tbody tr").nth(1).innerText();
    assert(q1.startsWith("Q1") && /1: \d\.\d+/.test(q1) && q1.includes("pos:"), `survey row with the averaged distribution: ${q1}`);
  } finally {
    server.stop();
  }
});
