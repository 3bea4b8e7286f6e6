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
