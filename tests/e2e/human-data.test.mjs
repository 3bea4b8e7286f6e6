// Importing human data in the Analyze tab: a Qualtrics-style wide conjoint export built from cregg's
// long immigration data is reshaped back and gives cregg's AMCEs; bad files get clear messages.
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { test, assert, IMMIGRATION, openExampleAnalyze, estimateRowText as rowText } from "./harness.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const EXAMPLE = IMMIGRATION;
const ATTRIBUTES = ["Gender", "Education", "LanguageSkills", "CountryOfOrigin", "Job", "JobExperience",
  "JobPlans", "ReasonForApplication", "PriorEntry"];

const quote = (v) => (/[",\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);

// cregg's long table (CaseID, contest_no, profile, attributes, ChosenImmigrant) as Qualtrics exports
// a conjoint: one row per respondent, three header rows, the design in embedded data F-task-row
// (attribute name) and F-task-profile-row (level), as src/design/qualtrics.rs names them, with the
// attribute order rotated per respondent as the randomiser would, and choice columns Q1…Q5.
function qualtricsWideExport() {
  const lines = readFileSync(join(here, "../../public/examples/data/cregg_immigration.csv"), "utf8").trim().split("\n");
  const header = lines[0].split(",");
  const col = Object.fromEntries(header.map((h, i) => [h, i]));
  const people = new Map();
  for (const line of lines.slice(1)) {
    const cells = line.split(",");
    const id = cells[col.CaseID];
    if (!people.has(id)) people.set(id, new Map());
    const task = Number(cells[col.contest_no]);
    const profile = Number(cells[col.profile]);
    const tasks = people.get(id);
    if (!tasks.has(task)) tasks.set(task, { profiles: {}, chosen: "" });
    tasks.get(task).profiles[profile] = Object.fromEntries(ATTRIBUTES.map((a) => [a, cells[col[a]]]));
    if (cells[col.ChosenImmigrant] === "1") tasks.get(task).chosen = String(profile);
  }
  const names = ["StartDate", "EndDate", "IPAddress", "ResponseId", "ethnocentrism"];
  const texts = ["Start Date", "End Date", "IP Address", "Response ID", "Ethnocentrism score"];
  const ethno = new Map(lines.slice(1).map((l) => l.split(",")).map((c) => [c[col.CaseID], c[col.ethnocentrism]]));
  for (let t = 1; t <= 5; t++) {
    names.push(`Q${t}`);
    texts.push(`Which of these two immigrants should be given priority to come to the United States? (task ${t})`);
  }
  for (let t = 1; t <= 5; t++) {
    for (let k = 1; k <= ATTRIBUTES.length; k++) { names.push(`F-${t}-${k}`); texts.push(`F-${t}-${k}`); }
    for (let p = 1; p <= 2; p++) {
      for (let k = 1; k <= ATTRIBUTES.length; k++) { names.push(`F-${t}-${p}-${k}`); texts.push(`F-${t}-${p}-${k}`); }
    }
  }
  const ids = names.map((n) => (n.startsWith("Q") ? `{"ImportId":"QID${n.slice(1)}"}` : `{"ImportId":"${n}"}`));
  const rows = [names, texts, ids].map((r) => r.map(quote).join(","));
  let r = 0;
  for (const [id, tasks] of people) {
    const order = ATTRIBUTES.map((_, k) => ATTRIBUTES[(k + r) % ATTRIBUTES.length]);
    const row = ["2014-03-01 10:00:00", "2014-03-01 10:12:00", `10.0.${(r >> 8) & 255}.${r & 255}`, `R_${id}`, ethno.get(id)];
    for (let t = 1; t <= 5; t++) row.push(tasks.get(t)?.chosen ?? "");
    for (let t = 1; t <= 5; t++) {
      const task = tasks.get(t);
      for (const a of order) row.push(task ? a : "");
      for (let p = 1; p <= 2; p++) for (const a of order) row.push(task ? task.profiles[p][a] : "");
    }
    rows.push(row.map(quote).join(","));
    r++;
  }
  return Buffer.from(rows.join("\r\n") + "\r\n", "utf8");
}

async function upload(page, name, buffer) {
  await page.getByLabel("Import human data").setInputFiles({ name, mimeType: "text/csv", buffer });
}

test("a_qualtrics_conjoint_export_reshaped_gives_creggs_amce", async ({ page, url, artifacts }) => {
  await openExampleAnalyze(page, url);
  await upload(page, "immigration_qualtrics.csv", qualtricsWideExport());
  const summary = await page.getByTestId("import-summary").innerText({ timeout: 30000 });
  assert(summary.includes("1396 rows") && summary.includes("Qualtrics"), `read summary: ${summary.slice(0, 300)}`);
  assert(summary.includes("Keep IPAddress"), `IP address flagged as personal data: ${summary.slice(0, 500)}`);
  assert((await page.getByLabel("Choice columns").inputValue()) === "Q{task}", "choice pattern guessed");
  await page.getByTestId("import-summary").getByText("Columns", { exact: true }).click();
  const questions = await page.getByTestId("import-summary").locator("table").innerText();
  assert(questions.includes("Which of these two immigrants should be given priority") && questions.includes("ethnocentrism"),
    "Qualtrics question texts shown with the columns");
  await page.screenshot({ path: join(artifacts, "human-data-columns.png") });
  await page.getByTestId("import-summary").getByText("Columns", { exact: true }).click();
  await page.getByRole("button", { name: "Reshape the conjoint" }).click();
  const reshaped = await page.getByTestId("reshape-summary").innerText({ timeout: 30000 });
  console.log(`    reshape: ${reshaped.replaceAll("\n", " ")}`);
  assert(reshaped.includes("1396 respondents") && reshaped.includes("0 missing choices") && reshaped.includes("13960 rows"), `reshape summary: ${reshaped}`);
  assert(reshaped.includes("No unknown attributes or levels"), `no unknown levels: ${reshaped}`);
  await page.screenshot({ path: join(artifacts, "human-data-reshape.png"), fullPage: true });
  await page.getByRole("button", { name: "Add to the study" }).click();
  const table = page.getByLabel("Response table");
  // The estimator is rebuilt with the study's tables once the edit lands.
  await table.locator("option", { hasText: "qualtrics" }).waitFor({ state: "attached" });
  const options = await table.locator("option").allInnerTexts();
  const index = options.findIndex((o) => o.includes("qualtrics"));
  assert(index >= 0 && options[index].includes("13960 rows"), `new table offered: ${options}`);
  await table.selectOption({ index });
  assert((await page.getByLabel("Outcome").inputValue()) === "chosen", "outcome preselected by role");
  assert((await page.getByLabel("Respondent id (clusters)").inputValue()) === "ResponseId", "respondent preselected by role");
  const groups = await page.getByLabel("Subgroups by").locator("option").allInnerTexts();
  assert(groups.includes("ethnocentrism") && !groups.includes("IPAddress"), `covariate kept, personal data left out: ${groups}`);
  await page.getByRole("button", { name: "Estimate" }).click();
  await page.getByTestId("estimates").waitFor({ timeout: 30000 });
  const male = await rowText(page, "Male");
  console.log(`    Male: ${male.replaceAll("\t", " ")}`);
  // Same as the bundled long table (cregg: −0.02497843476, SE 0.00798300916).
  assert(male.includes("-0.024978") && male.includes("0.007983"), `Male row: ${male}`);
  await page.screenshot({ path: join(artifacts, "human-data-amce.png"), fullPage: true });

  // Saved: the table is still there after a reload.
  await page.reload();
  await page.getByRole("heading", { name: "Estimate effects" }).waitFor();
  const after = await page.getByLabel("Response table").locator("option").allInnerTexts();
  assert(after.some((o) => o.includes("qualtrics")), `kept after reload: ${after}`);
});

test("bad_files_get_messages_naming_row_and_column", async ({ page, url, artifacts }) => {
  await openExampleAnalyze(page, url);
  const notice = page.getByTestId("notice");
  const tryFile = async (name, buffer, expect, screenshot) => {
    await upload(page, name, buffer);
    await notice.waitFor({ timeout: 30000 });
    const text = await notice.innerText();
    console.log(`    ${name}: ${text.replaceAll("\n", " | ")}`);
    for (const e of expect) assert(text.includes(e), `${name}: expected ${JSON.stringify(e)} in ${text}`);
    assert(text.includes("Nothing in the study was changed"), `${name}: says nothing was lost`);
    if (screenshot) await page.screenshot({ path: join(artifacts, screenshot), fullPage: true });
    await page.getByRole("button", { name: "Dismiss message" }).click();
  };
  await tryFile("empty.csv", Buffer.alloc(0), ["empty"]);
  await page.getByLabel("Delimiter").selectOption({ label: "Comma" });
  await tryFile("semicolons.csv", Buffer.from("id;age;answer\n1;34;yes\n2;51;no\n"), ["semicolon"]);
  await page.getByLabel("Delimiter").selectOption({ label: "Detect" });
  await tryFile("ragged.csv", Buffer.from("id,age,answer\n1,34,yes\n2,51\n3,29,no\n"), ["row 3", "2 fields"]);
  await tryFile("latin1.csv", Buffer.concat([Buffer.from("id,city\n1,Zurich\n2,Z"), Buffer.from([0xfc]), Buffer.from("rich\n")]),
    ["row 3", "city"], "human-data-error.png");

  // The page still works: a good file reads, and the study's table is still there.
  await upload(page, "good.csv", Buffer.from("ResponseId,age\nR_1,34\nR_2,51\n"));
  assert((await page.getByLabel("Respondent id column").inputValue()) === "ResponseId", "Qualtrics' id preselected");
  const summary = await page.getByTestId("import-summary").innerText({ timeout: 30000 });
  assert(summary.includes("2 rows × 2 columns"), `good file read: ${summary}`);
  const options = await page.getByLabel("Response table").locator("option").allInnerTexts();
  assert(options.length === 1 && options[0].includes("13960 rows"), `study unchanged: ${options}`);
  await page.getByRole("button", { name: "Add to the study" }).click();
  await page.getByLabel("Response table").locator("option", { hasText: "good" }).waitFor({ state: "attached" });
  const good = await page.getByLabel("Response table").locator("option").allInnerTexts();
  await page.getByLabel("Response table").selectOption({ index: good.findIndex((o) => o.includes("good")) });
  assert((await page.getByLabel("Respondent id (clusters)").inputValue()) === "ResponseId", "the chosen id column has the respondent role");
});

test("survey_columns_are_matched_to_questions_with_a_preview", async ({ page, url, artifacts }) => {
  await page.goto(url);
  await page.getByLabel("New study").fill("Party survey");
  await page.getByRole("button", { name: "Create" }).click();
  await page.getByRole("link", { name: "Party survey" }).click();
  await page.getByRole("button", { name: "Add question" }).click();
  await page.getByLabel("Question text of Q1").fill("Generally speaking, do you think of yourself as a…");
  await page.getByLabel("Question text of Q1").blur();
  await page.getByLabel("Options (one per line)").fill("Democrat\nRepublican\nIndependent\nOther");
  await page.getByLabel("Options (one per line)").blur();
  await page.getByTestId("save-status").getByText("All changes saved").waitFor();
  await page.getByRole("navigation", { name: "Study stages" }).getByRole("link", { name: "Analyze" }).click();
  const csv = [
    "ResponseId,RecipientEmail,Q1",
    "Response ID,Email,Generally speaking do you think of yourself as a",
    '{"ImportId":"_recordId"},{"ImportId":"recipientEmail"},{"ImportId":"QID1"}',
    "R_1,ann@example.org,Democrat",
    "R_2,bob@example.org,Republican",
    "R_3,cy@example.org,Democrat",
    "R_4,di@example.org,Green",
    "R_5,ed@example.org,",
  ].join("\n");
  await upload(page, "party.csv", Buffer.from(csv));
  const summary = await page.getByTestId("import-summary").innerText({ timeout: 30000 });
  assert(summary.includes("Keep RecipientEmail"), `e-mail flagged: ${summary}`);
  await page.getByRole("button", { name: "Match columns to survey questions" }).click();
  const preview = page.getByTestId("mapping-preview");
  await preview.waitFor({ timeout: 30000 });
  const q1 = await preview.locator("tbody tr").filter({ has: page.getByRole("rowheader", { name: "Q1", exact: true }) }).innerText();
  console.log(`    Q1: ${q1.replaceAll("\t", " | ")}`);
  assert(q1.includes("Green"), `the unknown answer is named: ${q1}`);
  await page.screenshot({ path: join(artifacts, "human-data-mapping.png"), fullPage: true });

  // Edited by hand: the preview follows each edit.
  const row = () => preview.locator("tbody tr").filter({ has: page.getByRole("rowheader", { name: "Q1", exact: true }) });
  const cells = async () => (await row().locator("td").allInnerTexts()).map((t) => t.trim());
  // Columns: question, answers, missing, codes, problems, recoding.
  assert((await cells())[1] === "3" && (await cells())[2] === "1", `before: ${await cells()}`);
  assert((await page.getByTestId("mapping-status").innerText()).includes("1 column(s) with problems"), "the problem is counted");
  await row().getByText("Recode", { exact: true }).click();
  await page.getByLabel("Recode values of Q1").fill("Green = Other");
  await page.getByLabel("Recode values of Q1").blur();
  await page.getByTestId("mapping-status").getByText("Every mapped column reads cleanly").waitFor();
  let now = await cells();
  assert(now[1] === "4" && now[2] === "1" && now[4] === "", `Green recoded to Other: ${now}`);
  // A missing-value code: Democrat answers become missing.
  await page.getByLabel("Missing codes of Q1").fill("-99, Democrat");
  await page.getByLabel("Missing codes of Q1").blur();
  await page.waitForFunction(() => [...document.querySelectorAll("[data-testid=mapping-preview] tbody tr")]
    .some((r) => r.querySelector("th")?.textContent === "Q1" && r.querySelectorAll("td")[1]?.textContent === "2"));
  now = await cells();
  assert(now[1] === "2" && now[2] === "3", `Democrat marked missing: ${now}`);
  // A line without "=" is refused with its line number, and the mapping keeps its last good state.
  await page.getByLabel("Recode values of Q1").fill("Green = Other\nPurple");
  await page.getByLabel("Recode values of Q1").blur();
  const refused = await page.getByTestId("mapping-problem").innerText();
  assert(refused.includes("Q1") && refused.includes("line 2"), `bad recoding line named: ${refused}`);
  assert((await cells())[1] === "2", "the last good mapping stands");
  await page.screenshot({ path: join(artifacts, "human-data-mapping-edited.png"), fullPage: true });
  // Back to no missing codes besides -99 for the rest of the test.
  await page.getByLabel("Missing codes of Q1").fill("-99");
  await page.getByLabel("Missing codes of Q1").blur();
  await page.getByLabel("Recode values of Q1").fill("Green = Other");
  await page.getByLabel("Recode values of Q1").blur();
  await page.waitForFunction(() => [...document.querySelectorAll("[data-testid=mapping-preview] tbody tr")]
    .some((r) => r.querySelector("th")?.textContent === "Q1" && r.querySelectorAll("td")[1]?.textContent === "4"));
  // The column can be pointed elsewhere (here: at no question) and mapped again.
  await page.getByLabel("Question for Q1").selectOption("");
  await page.getByLabel("Map another column").locator("option", { hasText: "Q1" }).waitFor({ state: "attached" });
  assert((await preview.locator("tbody tr").count()) === 0, "Q1 left the mapping");
  await page.getByLabel("Map another column").selectOption("Q1");
  await row().waitFor();
  assert((await cells())[1] === "3", `mapped again, starting from no recoding: ${await cells()}`);
  await page.getByRole("button", { name: "Add to the study" }).click();
  const table = page.getByLabel("Response table");
  await table.waitFor({ timeout: 30000 });
  assert((await page.getByLabel("Respondent id (clusters)").inputValue()) === "ResponseId", "respondent by role");
  await page.getByTestId("response-table").locator("summary").click();
  const columns = await page.getByTestId("response-table").innerText();
  assert(columns.includes("Q1") && !columns.includes("RecipientEmail"), `the e-mail column was left out: ${columns}`);

  // The recoded long table (respondent × question) replaces the wide one of the same name.
  await page.getByRole("button", { name: "Add the matched answers" }).click();
  await page.getByTestId("notice").getByText("Added the matched answers").waitFor({ timeout: 30000 });
  await page.getByTestId("response-table").locator("summary").click();
  const long = await page.getByTestId("response-table").innerText();
  console.log(`    long table: ${long.replaceAll("\n", " | ")}`);
  assert(long.includes("5 rows × 3 columns") && (await page.getByLabel("Response table").locator("option").count()) === 1, `replaced: ${long}`);
});

/** A CSV of about `bytes` bytes: id, age, party, ten 1-5 answers; resolves to its path and rows. */
function writeSurveyCsv(dir, name, bytes) {
  const parties = ["Democrat", "Republican", "Independent"];
  const lines = ["ResponseId,age,party," + Array.from({ length: 10 }, (_, q) => `Q${q + 1}`).join(",")];
  let size = lines[0].length + 1;
  let rows = 0;
  while (size < bytes) {
    rows++;
    const line = `R_${rows},${18 + (rows % 70)},${parties[rows % 3]},` + Array.from({ length: 10 }, (_, q) => 1 + ((rows + q) % 5)).join(",");
    lines.push(line);
    size += line.length + 1;
  }
  const path = join(dir, name);
  writeFileSync(path, lines.join("\n") + "\n");
  return { path, rows };
}

test("a_large_csv_is_read_in_the_worker_in_slices_with_progress_and_can_be_cancelled", async ({ page, url, artifacts }) => {
  const dir = mkdtempSync(join(tmpdir(), "silico-e2e-"));
  try {
    const moderate = writeSurveyCsv(dir, "survey-20mb.csv", 20_000_000);
    const large = writeSurveyCsv(dir, "survey-120mb.csv", 120_000_000);
    await openExampleAnalyze(page, url);
    // Progress is noted whenever the bar is on the page (it goes once the file is read).
    await page.evaluate(() => {
      window.__progress = [];
      new MutationObserver(() => {
        const bar = document.querySelector("[data-testid=read-progress]");
        if (bar) window.__progress.push(bar.innerText);
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    });
    await page.getByLabel("Import human data").setInputFiles(moderate.path);
    const summary = page.getByTestId("import-summary");
    await summary.getByText(`${moderate.rows} rows × 13 columns`).waitFor({ timeout: 60000 });
    const seen = await page.evaluate(() => window.__progress);
    console.log(`    ${seen.length} progress updates, e.g. ${JSON.stringify(seen.at(-1))}`);
    assert(seen.some((t) => /Reading… [0-9.]+ of 20\.0 MB, \d+ rows/.test(t) && !/ 0 rows/.test(t)), `progress with bytes and rows shown: ${seen.slice(-3)}`);
    await summary.getByText("Columns", { exact: true }).click();
    const columns = await summary.locator("table").innerText();
    assert(columns.includes("Independent") && columns.includes("number"), `columns typed: ${columns.slice(0, 300)}`);

    // A larger file is cancelled while it is read: the last file read stays.
    await page.getByLabel("Import human data").setInputFiles(large.path);
    await page.getByTestId("read-progress").waitFor();
    await page.screenshot({ path: join(artifacts, "human-data-progress.png") });
    await page.getByTestId("read-progress").getByRole("button", { name: "Cancel" }).click();
    const notice = await page.getByTestId("notice").innerText({ timeout: 30000 });
    assert(notice.includes("survey-120mb.csv") && notice.includes("cancelled"), `cancel said: ${notice}`);
    assert(await summary.getByText(`${moderate.rows} rows × 13 columns`).isVisible(), "the last file read stays");
    // And the worker still reads: the file added to the study has every row.
    await page.getByRole("button", { name: "Add to the study" }).click();
    await page.getByLabel("Response table").locator("option", { hasText: "survey-20mb" }).waitFor({ state: "attached", timeout: 60000 });
    const options = await page.getByLabel("Response table").locator("option").allInnerTexts();
    assert(options.some((o) => o.includes("survey-20mb") && o.includes(`${moderate.rows} rows`)), `added with every row: ${options}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
