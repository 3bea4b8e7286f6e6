// The Compare tab: the Twin-2K-500 mega-study pairs reproduce the published per-question metrics
// through the page; the HTML report; and people-vs-LLM AMCEs for the example study after fielding
// it to the protocol server.
import { readFileSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { test, assert, configureEndpoint } from "./harness.mjs";
import { faultServer } from "./field.test.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const shared = join(here, "../../../shared/data");
const EXAMPLE = "Immigration conjoint (Hainmueller, Hopkins & Yamamoto 2014)";

function parseCsv(text) {
  const [head, ...lines] = text.trim().split("\n");
  const names = head.split(",");
  return lines.map((l) => {
    const cells = l.split(",");
    return Object.fromEntries(names.map((n, i) => [n, cells[i]]));
  });
}

async function openExample(page, url, tab) {
  await page.goto(url);
  await page.getByRole("button", { name: `Load example: ${EXAMPLE}` }).click();
  await page.getByRole("link", { name: EXAMPLE }).click();
  await page.getByRole("navigation", { name: "Study stages" }).getByRole("link", { name: tab }).click();
}

test("compare_megastudy_pairs_reproduce_the_published_metrics_and_report", async ({ page, url, artifacts }) => {
  assert(existsSync(join(shared, "twin2k500_megastudy_human_vs_twin_long.csv")), `shared data at ${shared}`);
  await openExample(page, url, "Compare");
  await page.locator("#pairs-file").setInputFiles(join(shared, "twin2k500_megastudy_human_vs_twin_long.csv"));
  await page.getByTestId("pairs-summary").waitFor({ timeout: 60000 });
  assert((await page.getByLabel("Person").inputValue()) === "TWIN_ID", "person column guessed");
  assert((await page.getByLabel("Human answer").inputValue()) === "human", "human column guessed");
  assert((await page.getByLabel("Twin answer").inputValue()) === "twin", "twin column guessed");
  await page.locator("#ranges-file").setInputFiles(join(shared, "twin2k500_megastudy_dv_ranges.csv"));
  await page.getByText("twin2k500_megastudy_dv_ranges.csv").waitFor();
  await page.getByRole("button", { name: "Compare", exact: true }).click();
  await page.getByTestId("compare-overall").waitFor({ timeout: 60000 });
  const overall = await page.getByTestId("compare-overall").innerText();
  assert(overall.startsWith("163 questions"), overall);

  // Every question's row against the published metrics (shown to 4 decimals; t to 3).
  const oracle = parseCsv(readFileSync(join(shared, "oracle_twin2k500_megastudy_metrics_with_reasoning.csv"), "utf8"));
  const shown = await page.getByTestId("compare-questions").locator("tbody tr").evaluateAll((rows) =>
    rows.map((r) => [...r.querySelectorAll("td")].map((td) => td.textContent)));
  assert(shown.length === 163, `163 rows, got ${shown.length}`);
  const byLabel = new Map(shown.map((cells) => [cells[0], cells]));
  let checked = 0;
  const close = (shownText, published, digits) =>
    Math.abs(Number(shownText) - Number(published)) <= 0.5 * 10 ** -digits + 1e-12;
  for (const o of oracle) {
    const cells = byLabel.get(`${o.study_name} / ${o.variable_name}`);
    assert(cells, `row for ${o.study_name} / ${o.variable_name}`);
    const [, n, accuracy, correlation, sdRatio, glass, t] = cells;
    assert(Number(n) === Number(o.n_points), `n of ${cells[0]}: ${n} vs ${o.n_points}`);
    for (const [name, value, published, digits] of [
      ["accuracy", accuracy, o.current_accuracy, 4], ["correlation", correlation, o.correlation, 4],
      ["sd ratio", sdRatio, o.std_ratio, 4], ["Glass's delta", glass, o.Glass_delta, 4], ["paired t", t, o.paired_t, 3],
    ]) {
      if (published === "" || published === "nan") continue;
      assert(close(value, published, digits), `${name} of ${cells[0]}: page ${value}, published ${published}`);
      checked += 1;
    }
  }
  assert(checked > 700, `values checked: ${checked}`);

  // The charts are drawn (SVG images that loaded) and the report opens offline.
  for (const name of ["means", "accuracy", "agreement", "distribution"]) {
    const canvas = page.getByTestId(`chart-${name}`).locator("canvas");
    await page.locator(`[data-testid="chart-${name}"] canvas, [data-testid="chart-${name}-problem"]`).first().waitFor({ timeout: 30000 });
    const problem = page.getByTestId(`chart-${name}-problem`);
    assert(!(await problem.count()), `${name} chart: ${await problem.count() ? await problem.innerText() : ""}`);
    // Drawn: many distinct colours in the canvas, not a blank rectangle.
    const colours = await canvas.evaluate((c) => {
      const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
      const seen = new Set();
      for (let i = 0; i < d.length; i += 4 * 13) seen.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
      return seen.size;
    });
    assert(colours > 8, `${name} chart drawn (${colours} colours)`);
  }
  await page.screenshot({ path: join(artifacts, "compare-megastudy.png"), fullPage: true });
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "HTML report (opens offline)" }).click()]);
  const html = readFileSync(await download.path(), "utf8");
  assert(html.includes("hiring algorithms") && html.includes("<svg"), "the report holds the questions and inline charts");
  assert(!/<script|src="http|href="http/i.test(html), "the report needs nothing from the network and runs no script");
  const [csv] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Per question (CSV)" }).click()]);
  assert(readFileSync(await csv.path(), "utf8").split("\n").length >= 164, "per-question CSV");
});

test("compare_bad_pairs_file_is_named_and_nothing_breaks", async ({ page, url }) => {
  await openExample(page, url, "Compare");
  await page.locator("#pairs-file").setInputFiles({ name: "empty.csv", mimeType: "text/csv", buffer: Buffer.alloc(0) });
  const problem = await page.getByTestId("compare-problem").innerText();
  assert(problem.includes("empty.csv") && /empty/i.test(problem), problem);
  await page.locator("#pairs-file").setInputFiles({ name: "pairs.csv", mimeType: "text/csv", buffer: Buffer.from("TWIN_ID,q,human,twin\n1,a,3,4\n2,a,5,1\n3,a,2,2\n") });
  await page.getByTestId("pairs-summary").waitFor();
  // "q" is not a usual name: without a question key the engine says what is missing.
  await page.getByRole("button", { name: "Compare", exact: true }).click();
  const missing = await page.getByTestId("compare-problem").innerText();
  assert(/question/i.test(missing), `missing question key named: ${missing}`);
  await page.getByRole("checkbox", { name: "q", exact: true }).check();
  await page.getByRole("button", { name: "Compare", exact: true }).click();
  await page.getByTestId("compare-overall").waitFor({ timeout: 30000 });
});

test("compare_people_and_llm_amces_after_fielding_the_example", async ({ page, url, artifacts }) => {
  const server = await faultServer(["--utilities", JSON.stringify({ Gender: { Male: -0.1 } })]);
  try {
    await openExample(page, url, "Field");
    await configureEndpoint(page, { baseUrl: server.url, model: "fault-server", respondents: 200, parts: "conjoint", callsAtOnce: 8 });
    await page.getByRole("button", { name: "Start fielding" }).click();
    await page.getByTestId("field-message").filter({ hasText: "Answers saved in the study" }).waitFor({ timeout: 120000 });
    await page.getByRole("navigation", { name: "Study stages" }).getByRole("link", { name: "Compare" }).click();
    await page.getByLabel("People (table)").waitFor();
    await page.getByRole("button", { name: "Compare AMCEs" }).click();
    const summary = await page.getByTestId("amce-compare-summary").innerText({ timeout: 60000 });
    const compared = Number(/^(\d+) levels compared/.exec(summary)?.[1]);
    // Immigration: 9 features, 50 levels, 41 of them not a baseline: all estimated on both sides.
    assert(compared === 41, summary);
    await page.locator("canvas").first().waitFor();
    await page.screenshot({ path: join(artifacts, "compare-amce.png"), fullPage: true });

    // The paired comparison's HTML report now carries the conjoint comparison too: its summary,
    // the two-panel plot and the per-level table.
    await page.locator("#pairs-file").setInputFiles({ name: "pairs.csv", mimeType: "text/csv",
      buffer: Buffer.from("person,question,human,twin\n1,a,3,4\n2,a,5,1\n3,a,2,2\n1,b,1,1\n2,b,2,3\n3,b,4,4\n") });
    await page.getByRole("button", { name: "Compare", exact: true }).click();
    await page.getByTestId("compare-overall").waitFor({ timeout: 30000 });
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "HTML report (opens offline)" }).click()]);
    const html = readFileSync(await download.path(), "utf8");
    const section = html.slice(html.indexOf("<h2>Conjoint: humans vs twins</h2>"));
    assert(html.includes("<h2>Conjoint: humans vs twins</h2>") && section.includes("41 levels compared"), "the AMCE comparison is in the report");
    assert(section.includes("<svg") && section.includes(">Male<") && section.includes("<th>Difference</th>"), "with its plot and per-level table");
    assert(!/<script|src="http|href="http/i.test(html), "still self-contained");
  } finally {
    server.stop();
  }
});

// People vs an LLM sample, unpaired: a study with the fixture survey and two response tables (the
// people's long table, an LLM run's fielded table with samples) compared question by question in
// the Compare tab; the trust item's numbers are the scipy known answers of tests/it/compare_survey.rs.
function surveyStudy() {
  const study = JSON.parse(readFileSync(join(here, "../fixtures/compare-survey/study.json"), "utf8"));
  const text = (values) => ({ text: values });
  const people = { respondent: [], question: [], answer: [] };
  const llm = { respondent: [], question: [], sample: [], answer: [], status: [] };
  const spread = (counts, answers) => counts.flatMap((n, i) => Array(n).fill(answers[i]));
  const trustPeople = spread([10, 20, 30, 25, 15], ["1", "2", "3", "4", "5"]);
  const trustLlm = spread([0, 5, 40, 45, 10], ["1", "2", "3", "4", "5"]);
  const partyPeople = spread([45, 35, 20], ["D", "R", "I"]);
  const partyLlm = spread([70, 20, 10], ["D", "R", "I"]);
  trustPeople.forEach((a, i) => {
    people.respondent.push(`R_${i}`, `R_${i}`, `R_${i}`);
    people.question.push("trust", "party", "news");
    people.answer.push(a, partyPeople[i], i % 3 ? "tv|web" : "paper");
  });
  trustLlm.forEach((a, i) => {
    const r = String(1 + (i % 50));
    const s = String(1 + Math.floor(i / 50));
    llm.respondent.push(r, r, r);
    llm.sample.push(s, s, s);
    llm.question.push("trust", "party", "news");
    llm.answer.push(a, partyLlm[i], "[\"tv\"]");
    llm.status.push("answered", "answered", "answered");
  });
  const table = (name, source, columns, roles) => ({
    name, source, provenance: { description: `${name} for the e2e test` },
    columns: Object.entries(columns).map(([n, v]) => ({ name: n, ...(roles[n] ? { role: roles[n] } : {}), values: text(v) })),
  });
  const roles = { respondent: "respondent", question: "question", answer: "answer" };
  study.results = [table("people", "human", people, roles), table("llm-run", "llm", llm, roles)];
  return Buffer.from(JSON.stringify(study));
}

test("compare_survey_people_vs_llm_sample_question_by_question", async ({ page, url, artifacts }) => {
  await page.setViewportSize({ width: 1400, height: 1000 });
  await page.goto(url);
  await page.locator("#import-study").setInputFiles({ name: "compare-survey.json", mimeType: "application/json", buffer: surveyStudy() });
  await page.getByTestId("notice").waitFor();
  await page.getByRole("link", { name: "Compare-survey fixture" }).click();
  await page.getByRole("navigation", { name: "Study stages" }).getByRole("link", { name: "Compare" }).click();
  const panel = page.getByTestId("survey-compare");
  await panel.waitFor();
  assert((await page.locator("#survey-humans option:checked").innerText()) === "people", "people table chosen");
  assert((await page.locator("#survey-llm option:checked").innerText()) === "llm-run", "LLM table chosen");
  await page.getByRole("button", { name: "Compare answers" }).click();
  await page.getByTestId("survey-compare-summary").waitFor({ timeout: 60000 });
  const summary = await page.getByTestId("survey-compare-summary").innerText();
  // party, trust and three news options; 100 people; 50 LLM respondents × 2 samples.
  assert(summary.startsWith("5 items · 100 people, 100 LLM respondents"), summary);
  const rows = await page.getByTestId("survey-compare-items").locator("tbody tr").evaluateAll((trs) =>
    trs.map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent)));
  const ids = rows.map((r) => r[0]);
  assert(JSON.stringify(ids) === JSON.stringify(["party", "trust", "news_tv", "news_web", "news_paper"]), ids.join(","));
  const trust = rows[1];
  // kind, n, n, mean, mean, sd ratio, representativeness (0.8625 in binary is 0.86249…), JS, TV
  // (see a_five_point_scale_matches_scipy).
  assert(trust[1] === "ordinal" && trust[2] === "100" && trust[3] === "100", trust.join("|"));
  assert(trust[4] === "3.15" && trust[5] === "3.60" && trust[6] === "0.62", trust.join("|"));
  assert(trust[7] === "0.862" && trust[8] === "0.114" && trust[9] === "0.300", trust.join("|"));
  assert(rows[0][4] === "–", "no mean for unordered codes");
  // Free text is listed as not compared.
  assert((await page.getByTestId("survey-compare-notes").innerText()).includes("why not compared"), "free text noted");

  // Both charts are drawn; choosing another question redraws the question chart.
  const drawn = async (locator) => locator.locator("canvas").evaluate((c) => {
    const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
    const seen = new Set();
    for (let i = 0; i < d.length; i += 4 * 7) seen.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
    return seen.size;
  });
  const charts = panel.locator("canvas");
  await charts.nth(1).waitFor();
  assert((await charts.count()) === 2, `two charts, got ${await charts.count()}`);
  assert((await drawn(panel.getByTestId("survey-question-chart"))) > 20, "question chart drawn");
  await page.locator("#survey-question").selectOption({ label: "trust" });
  await page.getByTestId("survey-question-chart").waitFor();
  assert((await drawn(panel.getByTestId("survey-question-chart"))) > 20, "trust chart drawn");
  const label = await panel.getByTestId("survey-question-chart").locator("canvas").getAttribute("aria-label");
  assert(label && label.includes("trust"), `chart label: ${label}`);
  await panel.screenshot({ path: join(artifacts, "compare-survey.png") });

  // A table that is not long: the worker's message names it, and the page keeps working.
  await page.locator("#survey-humans").selectOption({ label: "llm-run" });
  await page.locator("#survey-group").fill("age");
  await page.getByRole("button", { name: "Compare answers" }).click();
  const problem = await page.getByTestId("survey-compare-problem").innerText({ timeout: 30000 });
  assert(problem.includes("llm-run: the group column \"age\""), problem);
});
