// A newcomer's first run, in the page: the immigration example fielded to the model in the page
// with the Field tab's defaults (only the number of respondents is set, when the study's default
// is not 10), and pressing Start is all. Every call answers, every record carries the model's
// distribution over the two profiles, and the position check shows SmolLM2's preference for "A".
// The time is printed (TIMING …), not asserted.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test, assert, fillAndChange as fill } from "./harness.mjs";
import { modelInDist } from "./local-model.test.mjs";

const EXAMPLE = "Immigration conjoint (Hainmueller, Hopkins & Yamamoto 2014)";

/** The values of one column of a CSV with quoted fields. */
function csvColumn(text, name) {
  const rows = [];
  let row = [], cell = "", quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { cell += '"'; i++; }
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") { row.push(cell); cell = ""; }
    else if (c === "\n") { row.push(cell); rows.push(row); row = []; cell = ""; }
    else if (c !== "\r") cell += c;
  }
  if (cell || row.length) { row.push(cell); rows.push(row); }
  const at = rows[0].indexOf(name);
  assert(at >= 0, `the CSV has a ${name} column: ${rows[0].join(",")}`);
  return rows.slice(1).map((r) => r[at]);
}

test("a_newcomer_fields_the_immigration_example_with_the_defaults", async ({ page, url, root, artifacts }) => {
  modelInDist(root);
  await page.setViewportSize({ width: 1400, height: 1000 });
  await page.goto(url);
  await page.getByRole("button", { name: `Load example: ${EXAMPLE}` }).click();
  await page.getByRole("link", { name: EXAMPLE }).click();
  await page.getByRole("navigation", { name: "Study stages" }).getByRole("link", { name: "Field" }).click();
  await page.getByTestId("local-model").waitFor();
  assert(await page.getByLabel("Provider", { exact: true }).inputValue() === "local", "the model in the page is the default provider");
  assert(await page.getByLabel("Answers to choices").inputValue() === "labels", "choices are answered from the labels' probabilities");

  // Every placeholder is the value used; the Respondents one says where its number comes from.
  assert(await page.getByLabel("Max tokens").getAttribute("placeholder") === "16", "max tokens placeholder");
  assert(await page.getByLabel("Temperature").getAttribute("placeholder") === "1", "temperature placeholder");
  const hint = await page.getByLabel("Respondents").getAttribute("placeholder");
  console.log(`Respondents placeholder: ${hint}`);
  assert(/^\d+ \(.+\)$/.test(hint), `the default number and its reason: ${hint}`);
  if (!hint.startsWith("10 ")) await fill(page, "Respondents", 10);

  // Preview works as the form stands, and shows the labels the model will score.
  await page.getByRole("button", { name: "Preview the first request" }).click();
  const preview = await page.getByTestId("field-preview").innerText();
  assert(/50 call\(s\) for 10 respondent\(s\)/.test(preview), `the preview counts the calls: ${preview.slice(0, 200)}`);
  assert(preview.includes('"answer_labels"') && preview.includes('"max_tokens": 16'), `labels and the token limit are sent: ${preview}`);

  const started = Date.now();
  await page.getByRole("button", { name: "Start fielding" }).click();
  await page.getByTestId("field-phase").filter({ hasText: "Finished" }).waitFor({ timeout: 1800000 });
  const seconds = (Date.now() - started) / 1000;
  console.log(`TIMING first run in the page: 50 calls in ${seconds.toFixed(1)} s, ${(seconds / 50).toFixed(2)} s per call (model download and load included)`);
  const counts = await page.getByTestId("field-counts").innerText();
  assert(/^50 of 50 settled: 50 answered, 0 refused, 0 unparsed, 0 failed/.test(counts), `every call answered: ${counts}`);

  // Every record has its distribution over the two profiles, in the order shown.
  const records = await page.evaluate(async () => {
    const db = await new Promise((ok) => { const r = indexedDB.open("silico"); r.onsuccess = () => ok(r.result); });
    const all = await new Promise((ok) => { const r = db.transaction("field_records").objectStore("field_records").getAll(); r.onsuccess = () => ok(r.result); });
    return all.map((x) => JSON.parse(x.json));
  });
  assert(records.length === 50, `50 stored records, got ${records.length}`);
  for (const r of records) {
    assert(["A", "B"].includes(r.raw_reply), `the reply is a label: ${JSON.stringify(r.raw_reply)}`);
    const d = r.distribution;
    assert(d && d.probabilities.length === 2, `a distribution over both profiles: ${r.custom_id}`);
    const total = d.probabilities.reduce((a, [, p]) => a + p, 0);
    assert(Math.abs(total - 1) < 1e-9 && d.label_mass > 0 && d.label_mass <= 1 + 1e-9, `normalised, with the labels' mass: ${JSON.stringify(d)}`);
  }
  // ... and the records file's probabilities column holds it.
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Records (CSV)" }).click()]);
  const column = csvColumn(readFileSync(await download.path(), "utf8"), "probabilities");
  assert(column.length === 50 && column.every((c) => /^1=[\d.]+;2=[\d.]+$/.test(c)), `a distribution in every row: ${column.slice(0, 3)}`);

  // The position check: SmolLM2 picks the first profile shown far more often than half the time.
  await page.getByRole("button", { name: "Check answer positions" }).click();
  const row = await page.getByTestId("position-bias").locator("tbody tr").first().locator("td").allInnerTexts();
  const numbers = (text) => [...text.matchAll(/: (\d\.\d+)/g)].map((m) => Number(m[1]));
  const chosen = numbers(row[2]);
  const firstToken = numbers(row[3]);
  console.log(`position check: ${row.join(" | ")}`);
  assert(row[0].startsWith("Conjoint tasks") && Number(row[1]) === 50, `the conjoint row: ${row}`);
  // The mean probability is the sharp measure (an unbiased model gives 0.5 ± 0.01); the answers,
  // drawn from it at temperature 1, lean the same way with a binomial's noise.
  assert(firstToken[0] > 0.55, `the first profile takes most of the probability: ${row[3]}`);
  assert(chosen[0] > 0.5, `and is chosen more often: ${row[2]}`);
  await page.getByRole("heading", { name: "Run" }).scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(artifacts, "first-run-field.png"), fullPage: true });
});
