// Human data into a study through the page: a Qualtrics-style wide conjoint export of the real
// immigration data (built here from the bundled long file, as Qualtrics would export it: three
// header rows, personal-data columns, the randomiser's F- fields with a per-respondent attribute
// order, "Immigrant 1/2" answers) is read, reshaped and estimated, and gives cregg's AMCEs; bad
// files get messages that name the row and column.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { test, assert } from "./harness.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const EXAMPLE = "Immigration conjoint (Hainmueller, Hopkins & Yamamoto 2014)";
const ATTRIBUTES = ["Gender", "Education", "LanguageSkills", "CountryOfOrigin", "Job", "JobExperience", "JobPlans", "ReasonForApplication", "PriorEntry"];
const TASKS = 5;

const quote = (v) => (/[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);

/** The wide export, one row per respondent, from the long data (CaseID, contest_no, profile, …). */
function qualtricsExport() {
  const [head, ...lines] = readFileSync(join(here, "../../public/examples/data/cregg_immigration.csv"), "utf8").trim().split("\n");
  const names = head.split(",");
  const at = (n) => names.indexOf(n);
  const people = new Map();
  for (const line of lines) {
    const r = line.split(",");
    const id = r[at("CaseID")];
    if (!people.has(id)) people.set(id, { levels: [...Array(TASKS)].map(() => [[], []]), chosen: Array(TASKS).fill(0) });
    const p = people.get(id);
    const task = Number(r[at("contest_no")]) - 1;
    const profile = Number(r[at("profile")]) - 1;
    p.levels[task][profile] = ATTRIBUTES.map((a) => r[at(a)]);
    if (r[at("ChosenImmigrant")] === "1") p.chosen[task] = profile + 1;
  }
  const cols = [
    ["StartDate", "Start Date", "startDate"], ["EndDate", "End Date", "endDate"], ["IPAddress", "IP Address", "ipAddress"],
    ["Finished", "Finished", "finished"], ["ResponseId", "Response ID", "_recordId"], ["RecipientEmail", "Recipient Email", "recipientEmail"],
    ...[...Array(TASKS)].map((_, t) => [`Q${t + 1}`, `Which of these two immigrants should be given priority? (Task ${t + 1})`, `QID${t + 11}`]),
    ["CaseID", "CaseID", "CaseID"],
  ];
  for (let t = 1; t <= TASKS; t++) for (let k = 1; k <= ATTRIBUTES.length; k++) cols.push([`F-${t}-${k}`, `F-${t}-${k}`, `F-${t}-${k}`]);
  for (let t = 1; t <= TASKS; t++) for (let p = 1; p <= 2; p++) for (let k = 1; k <= ATTRIBUTES.length; k++) cols.push([`F-${t}-${p}-${k}`, `F-${t}-${p}-${k}`, `F-${t}-${p}-${k}`]);
  const rows = [cols.map((c) => c[0]), cols.map((c) => c[1]), cols.map((c) => `{"ImportId":"${c[2]}"}`)];
  let n = 0;
  for (const [id, p] of people) {
    const order = ATTRIBUTES.map((_, k) => (k + n) % ATTRIBUTES.length);
    const row = ["2014-03-01 10:00:00", "2014-03-01 10:09:00", `192.0.2.${(n % 250) + 1}`, "True", `R_${String(n + 1).padStart(15, "0")}`, `person${n + 1}@example.org`];
    for (let t = 0; t < TASKS; t++) row.push(`Immigrant ${p.chosen[t]}`);
    row.push(id);
    for (let t = 0; t < TASKS; t++) for (const a of order) row.push(ATTRIBUTES[a]);
    for (let t = 0; t < TASKS; t++) for (let q = 0; q < 2; q++) for (const a of order) row.push(p.levels[t][q][a]);
    rows.push(row);
    n += 1;
  }
  return Buffer.from(rows.map((r) => r.map(quote).join(",")).join("\r\n") + "\r\n");
}

async function openExampleAnalyze(page, url) {
  await page.goto(url);
  await page.getByRole("button", { name: `Load example: ${EXAMPLE}` }).click();
  await page.getByRole("link", { name: EXAMPLE }).click();
  await page.getByRole("navigation", { name: "Study stages" }).getByRole("link", { name: "Analyze" }).click();
  await page.getByRole("heading", { name: "Human data" }).waitFor();
}

test("human_data_qualtrics_conjoint_export_reshaped_gives_creggs_amces", async ({ page, url, artifacts }) => {
  await openExampleAnalyze(page, url);
  await page.getByLabel("Table name").fill("qualtrics");
  await page.getByLabel("Table name").dispatchEvent("change");
  await page.locator("#human-data-file").setInputFiles({ name: "immigration_qualtrics.csv", mimeType: "text/csv", buffer: qualtricsExport() });
  const summary = await page.getByTestId("human-data-summary").innerText({ timeout: 60000 });
  assert(summary.includes("Qualtrics export") && summary.includes("1396 rows"), summary);
  const personal = await page.getByTestId("personal-data").innerText();
  assert(personal.includes("RecipientEmail") && personal.includes("IPAddress"), `personal data flagged: ${personal}`);
  assert((await page.getByLabel("Choice column per task ({task} = task number)").inputValue()) === "Q{task}", "choice pattern guessed");
  await page.getByLabel("Respondent id", { exact: true }).selectOption("CaseID");
  await page.getByRole("button", { name: "Reshape the conjoint" }).click();
  const reshaped = await page.getByTestId("reshape-summary").innerText({ timeout: 60000 });
  assert(reshaped.includes("1396 respondents") && reshaped.includes("13960 rows") && reshaped.includes("0 tasks without a choice") && reshaped.includes("0 unknown levels"), reshaped);
  await page.getByRole("button", { name: "Add to the study" }).click();
  await page.getByTestId("human-data-done").waitFor();
  await page.screenshot({ path: join(artifacts, "human-data.png"), fullPage: true });

  // The estimator now offers the table; the reshaped data give cregg's additive AMCEs.
  const chosen = await page.locator("#table-choice").evaluate((s) => s.options[s.selectedIndex].textContent);
  assert(chosen.includes("qualtrics"), `the new table is offered first: ${chosen}`);
  assert((await page.getByLabel("Respondent id (clusters)").inputValue()) === "CaseID", "clusters by the respondent column");
  await page.getByRole("button", { name: "Estimate" }).click();
  await page.getByTestId("estimates").waitFor({ timeout: 30000 });
  const male = await page.getByTestId("estimates").locator("tbody tr")
    .filter({ has: page.getByRole("cell", { name: "Male", exact: true }) }).first().innerText();
  assert(male.includes("-0.024978") && male.includes("0.007983"), `Male row from the reshaped export: ${male}`);
  const stored = await page.evaluate(async () => {
    const db = await new Promise((ok) => { const r = indexedDB.open("silico"); r.onsuccess = () => ok(r.result); });
    const all = await new Promise((ok) => { const r = db.transaction("studies").objectStore("studies").getAll(); r.onsuccess = () => ok(r.result); });
    return all.map((s) => s.json).join("\n");
  });
  assert(stored.includes('"qualtrics"') && !stored.includes("person1@example.org"), "stored without the e-mail column");
});

test("human_data_bad_files_name_the_row_and_column", async ({ page, url }) => {
  await openExampleAnalyze(page, url);
  const upload = async (name, bytes) => {
    await page.locator("#human-data-file").setInputFiles({ name, mimeType: "text/csv", buffer: Buffer.from(bytes) });
    return page.getByTestId("human-data-problem").innerText({ timeout: 30000 });
  };
  const empty = await upload("empty.csv", []);
  assert(empty.includes("empty.csv") && /empty/i.test(empty), empty);
  const ragged = await upload("ragged.csv", "a,b,c\n1,2,3\n4,5\n");
  assert(ragged.includes("ragged.csv") && /row 3/.test(ragged), ragged);
  const latin = await upload("latin1.csv", [...Buffer.from("name,comment\nx,caf"), 0xe9, ...Buffer.from("\n")]);
  assert(/row 2/.test(latin) && latin.includes("comment") && /UTF-8/.test(latin), latin);
  const semicolons = await upload("semicolons.csv", "a;b;c\n1;2\n3;4;5;6\n");
  assert(semicolons.includes("semicolons.csv") && /row|column|delimiter|separator/i.test(semicolons), semicolons);
  // The study and the page keep working.
  await page.getByRole("button", { name: "Estimate" }).click();
  await page.getByTestId("estimates").waitFor({ timeout: 30000 });
});
