// The Design tab: build a conjoint from scratch, with restrictions, and find it intact after a reload.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { test, assert, distinctColours } from "./harness.mjs";

async function newStudyDesign(page, url, name) {
  await page.goto(url);
  await page.getByLabel("New study").fill(name);
  await page.getByRole("button", { name: "Create" }).click();
  await page.getByRole("link", { name }).click();
  await page.getByTestId("study-title").waitFor();
}

async function saved(page) {
  await page.getByTestId("save-status").getByText("All changes saved").waitFor();
}

test("build_a_conjoint_from_scratch_and_reload", async ({ page, url, artifacts }) => {
  await newStudyDesign(page, url, "Hiring study");
  await page.getByRole("button", { name: "Add a conjoint experiment" }).click();
  for (const name of ["Job", "Education"]) {
    await page.getByLabel("New attribute").fill(name);
    await page.getByRole("button", { name: "Add attribute" }).click();
    await page.getByRole("button", { name: `Add a level to ${name}` }).waitFor();
  }
  await page.getByLabel("Job level 1").fill("Doctor");
  await page.getByLabel("Job level 1").press("Enter");
  await page.getByLabel("Job level 2").fill("Janitor");
  await page.getByLabel("Job level 2").press("Enter");
  await page.getByLabel("Education level 1").fill("No Formal");
  await page.getByLabel("Education level 1").press("Enter");
  await page.getByRole("button", { name: "Add a level to Education" }).click();
  await page.getByLabel("Education level 3").fill("College");
  await page.getByLabel("Education level 3").press("Enter");
  await page.getByLabel("Weight of Janitor").fill("3");
  await page.getByLabel("Weight of Janitor").press("Enter");
  await saved(page);
  const jobRow = await page.getByTestId("attribute").first().innerText();
  assert(jobRow.includes("75.0%"), `weight 3 of 4 shows as 75%: ${jobRow}`);

  await page.locator("#restriction-first").selectOption({ label: "Job" });
  await page.getByLabel("Doctor", { exact: true }).check();
  await page.locator("#restriction-second").selectOption({ label: "Education" });
  await page.locator("#second-level-0").check();
  await page.getByRole("button", { name: "Add restriction" }).click();
  await page.getByTestId("restrictions").getByText("Never Job ∈ {Doctor} with Education ∈ {No Formal}").waitFor();
  await page.getByLabel("Tasks per respondent").fill("8");
  await page.getByLabel("Tasks per respondent").press("Enter");
  await saved(page);
  await page.screenshot({ path: join(artifacts, "designer.png"), fullPage: true });

  await page.reload();
  await page.getByTestId("restrictions").getByText("Never Job ∈ {Doctor} with Education ∈ {No Formal}").waitFor();
  assert((await page.getByLabel("Education level 3").inputValue()) === "College", "levels persisted");
  assert((await page.getByLabel("Tasks per respondent").inputValue()) === "8", "settings persisted");

  // Renaming a level renames it inside the restriction.
  await page.getByLabel("Job level 1").fill("Surgeon");
  await page.getByLabel("Job level 1").press("Enter");
  await page.getByTestId("restrictions").getByText("Never Job ∈ {Surgeon} with Education ∈ {No Formal}").waitFor();
});

test("refused_edits_explain_themselves", async ({ page, url }) => {
  await newStudyDesign(page, url, "Edge cases");
  await page.getByRole("button", { name: "Add a conjoint experiment" }).click();
  await page.getByLabel("New attribute").fill("Price");
  await page.getByRole("button", { name: "Add attribute" }).click();
  await page.getByLabel("New attribute").fill("Price");
  await page.getByRole("button", { name: "Add attribute" }).click();
  const problem = await page.getByTestId("edit-problem").innerText();
  assert(problem.includes("already an attribute named \"Price\""), problem);
  await page.getByLabel("Weight of Level 1").fill("-2");
  await page.getByLabel("Weight of Level 1").press("Enter");
  await page.getByTestId("edit-problem").getByText("a weight must be a positive number").waitFor();
  await page.getByLabel("Profiles per task").fill("1");
  await page.getByLabel("Profiles per task").press("Enter");
  await page.getByTestId("edit-problem").getByText("Profiles per task must be a whole number of at least 2").waitFor();
  assert((await page.getByRole("button", { name: "Delete level Level 1" }).isDisabled()), "an attribute keeps at least two levels");
});

test("diagnose_preview_power_and_export_the_example_design", async ({ page, url, artifacts }) => {
  const EXAMPLE = "Immigration conjoint (Hainmueller, Hopkins & Yamamoto 2014)";
  await page.goto(url);
  await page.getByRole("button", { name: `Load example: ${EXAMPLE}` }).click();
  await page.getByRole("link", { name: EXAMPLE }).click();
  await page.getByRole("button", { name: "Generate and diagnose" }).click();
  const report = page.getByTestId("diagnostics");
  await report.waitFor({ timeout: 30000 });
  const text = await report.innerText();
  assert(text.includes("1000 respondents, 5000 tasks, 10000 profiles"), text.slice(0, 200));
  const checks = await report.locator("tbody tr").filter({ hasText: "never shown" }).count();
  assert(checks === 2, `both restrictions hold (${checks} rows say never shown)`);
  assert(!(text.includes("✗")), "no restricted combination was shown");
  // The restrictions list and the table of restricted combinations name the levels in one order
  // (the attribute's), although the file lists CountryOfOrigin's alphabetically.
  const listed = (await page.getByTestId("restrictions").locator("li").allInnerTexts())
    .map((t) => t.replace(/^Never\s+/, "").replace(/\s*Delete$/, ""));
  const combinations = await report.locator("table").first().locator("tbody tr td:nth-child(2)").allInnerTexts();
  assert(JSON.stringify(listed) === JSON.stringify(combinations), `list ${JSON.stringify(listed)} vs table ${JSON.stringify(combinations)}`);
  assert(listed[1].includes("{India, Germany, France,"), `the attribute's order: ${listed[1]}`);

  await page.getByLabel("Expected AMCE").fill("0.05");
  await page.getByLabel("Levels of the attribute").fill("5");
  await page.getByLabel("Target power").fill("0.8");
  const power = await page.getByTestId("power-answer").innerText();
  assert(power.includes("n = 7829.258"), `cjpowR's known answer: ${power}`);
  await page.getByLabel("Attribute", { exact: true }).selectOption({ label: "Gender" });
  await page.getByLabel("Level (vs. baseline)").selectOption({ label: "Male" });
  await page.getByLabel("Respondents to simulate").fill("40, 400");
  await page.getByRole("button", { name: "Simulate power curve" }).click();
  const curve = page.getByTestId("power-curve");
  await curve.waitFor({ timeout: 60000 });
  const powers = (await curve.locator("tbody tr td:nth-child(2)").allInnerTexts()).map(Number);
  assert(powers.length === 2 && powers[0] < powers[1], `power rises with respondents: ${powers}`);

  await page.getByLabel("Respondent", { exact: true }).fill("2");
  await page.getByRole("button", { name: "Show tasks" }).click();
  await page.getByTestId("preview-task").first().waitFor({ timeout: 30000 });
  assert((await page.getByTestId("preview-task").count()) === 5, "five tasks");
  const first = await page.getByTestId("preview-task").first().innerText();
  assert(first.includes("Profile 1") && first.includes("Profile 2"), first);
  await page.locator("section[aria-labelledby=check-heading]").screenshot({ path: join(artifacts, "design-check.png") });
  await page.locator("section[aria-labelledby=preview-heading]").screenshot({ path: join(artifacts, "design-preview.png") });

  // The level-pair heatmap on the GPU: drawn, its colour bar starting at the restricted pairs' 0,
  // and the pointer names the pair under it.
  await page.getByRole("button", { name: "Open level-pair heatmap (GPU)" }).click();
  const pairs = page.getByTestId("large-view-design-pairs");
  await pairs.getByTestId("large-view-backend").filter({ hasText: /^(WebGL2|WebGPU) ·/ }).waitFor({ timeout: 60000 });
  await page.waitForTimeout(500);
  const drawn = await distinctColours(page, await pairs.locator(".large-view-plot").screenshot());
  assert(drawn > 5, `pair heatmap drawn: ${drawn} colours`);
  const lo = await pairs.getByTestId("colour-bar-lo").innerText();
  assert(lo === "0", `restricted pairs are never shown, so the scale starts at 0: ${lo}`);
  const box = await pairs.getByTestId("large-view-overlay").boundingBox();
  await page.mouse.move(box.x + 64 + (box.width - 64) * 0.5, box.y + 10 + (box.height - 50) * 0.4);
  const tip = pairs.getByTestId("large-view-tooltip");
  await tip.waitFor({ timeout: 10000 });
  const pair = await tip.innerText();
  assert(/^.+ × .+ · (\d+ profiles|same attribute)$/.test(pair), `tooltip names a pair: ${pair}`);
  await pairs.screenshot({ path: join(artifacts, "design-pairs.png") });

  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("button", { name: "Download design (long CSV)" }).click(),
  ]);
  const { readFileSync, existsSync } = await import("node:fs");
  const { execFileSync } = await import("node:child_process");
  const pageCsv = readFileSync(await download.path(), "utf8");
  // Same study, same seed: the page (wasm, in the worker) and the native tool write the same bytes.
  const root = join(dirname(fileURLToPath(import.meta.url)), "../..");
  const silico = process.env.SILICO_CLI ?? join(root, "target/debug/silico");
  assert(existsSync(silico), "the native tool is built (cargo build) before the e2e tests");
  const nativeCsv = execFileSync(silico, ["design", "public/examples/immigration.json", "--respondents", "1000", "--seed", "2014"], { cwd: root, maxBuffer: 64 << 20 }).toString();
  assert(pageCsv === nativeCsv, `page and native designs differ (${pageCsv.length} vs ${nativeCsv.length} bytes)`);
  const csv = pageCsv.split("\n");
  assert(csv[0] === "respondent,task,profile,attribute,level,position", csv[0]);
  assert(csv.filter((l) => l).length === 1 + 1000 * 5 * 2 * 9, `one row per respondent × task × profile × attribute (${csv.length})`);
  const [js] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("button", { name: "Download Qualtrics randomiser (.js)" }).click(),
  ]);
  const script = readFileSync(await js.path(), "utf8");
  assert(script.includes("Qualtrics.SurveyEngine.setEmbeddedData(\"F-\" + t + \"-\" + (p + 1)"), "writes F-task-profile-attribute fields");
});

test("import_a_conjoint_survey_design_tool_file", async ({ page, url }) => {
  const { readFileSync, existsSync } = await import("node:fs");
  const { dirname } = await import("node:path");
  const { fileURLToPath } = await import("node:url");
  const here = dirname(fileURLToPath(import.meta.url));
  const sdt = join(here, "../../../shared/data/sdt_immigrant_demo.sdt");
  assert(existsSync(sdt), `the real .sdt file is at ${sdt}`);
  await page.goto(url);
  await page.locator("#import-sdt").setInputFiles({ name: "immigrant_demo.sdt", mimeType: "application/octet-stream", buffer: readFileSync(sdt) });
  await page.getByTestId("notice").getByText("Added “immigrant demo”").waitFor();
  const row = await page.getByTestId("study-row").innerText();
  assert(row.includes("9 attributes"), row);
  await page.getByRole("link", { name: "immigrant demo" }).click();
  await page.getByTestId("attribute").first().waitFor();
  assert((await page.getByTestId("restrictions").locator("li").count()) === 22, "22 restriction pairs");
});

test("a_broken_sdt_file_gets_a_clear_message", async ({ page, url }) => {
  await page.goto(url);
  await page.locator("#import-sdt").setInputFiles({ name: "broken.sdt", mimeType: "application/octet-stream", buffer: Buffer.from("this is not a pickle") });
  const text = await page.getByTestId("notice").innerText();
  assert(text.includes("broken.sdt was not imported"), text);
  assert((await page.getByTestId("empty-library").count()) === 1, "nothing was added");
});

test("write_a_survey_with_anchors_and_a_condition", async ({ page, url, artifacts }) => {
  await newStudyDesign(page, url, "Party survey");
  await page.getByRole("button", { name: "Add question" }).click();
  await page.getByLabel("Question text of Q1").fill("Generally speaking, do you think of yourself as a…");
  await page.getByLabel("Question text of Q1").blur();
  await page.getByLabel("Options (one per line)").fill("Democrat\nRepublican\nIndependent\nOther");
  await page.getByLabel("Options (one per line)").blur();
  await saved(page);
  await page.getByLabel("Answer order").selectOption({ label: "Shuffled per respondent" });
  await page.getByRole("checkbox", { name: "Other" }).check();
  await saved(page);
  await page.getByLabel("New question").selectOption({ label: "Free text" });
  await page.getByRole("button", { name: "Add question" }).click();
  await page.getByLabel("Show only if").selectOption({ label: "Q1 is one of…" });
  await saved(page);
  await page.getByTestId("question").nth(1).getByRole("checkbox", { name: "Independent" }).check();
  await saved(page);
  await page.locator("section[aria-labelledby=survey-heading]").screenshot({ path: join(artifacts, "survey-editor.png") });
  // Survey-only studies preview too: shuffled answers, the anchored option last, the condition stated.
  const orders = new Set();
  for (const respondent of ["1", "2", "3", "4", "5", "6"]) {
    await page.getByLabel("Respondent", { exact: true }).fill(respondent);
    await page.getByRole("button", { name: "Show tasks" }).click();
    const shown = page.getByTestId("preview-survey");
    await shown.waitFor();
    await page.waitForTimeout(100);
    const options = await shown.locator("> li").first().locator(".shown-options li").allInnerTexts();
    assert(options.length === 4 && options[3] === "Other", `Other stays last: ${options}`);
    orders.add(options.join("|"));
    assert((await shown.innerText()).includes("shown if Q1 is one of"), "the condition is stated");
  }
  assert(orders.size > 1, `answer order varies across respondents: ${[...orders]}`);

  await page.reload();
  await page.getByTestId("question").nth(1).waitFor();
  assert(await page.getByTestId("question").nth(1).getByRole("checkbox", { name: "Independent" }).isChecked(), "condition kept");
  await page.goto(url);
  const row = page.getByTestId("study-row").filter({ hasText: "Party survey" });
  const [download] = await Promise.all([page.waitForEvent("download"), row.getByRole("button", { name: "Export" }).click()]);
  const { readFileSync } = await import("node:fs");
  const study = JSON.parse(readFileSync(await download.path(), "utf8"));
  const [q1, q2] = study.survey.questions;
  assert(q1.option_order === "shuffle", JSON.stringify(q1));
  const other = q1.answer.options.find((o) => o.label === "Other");
  const independent = q1.answer.options.find((o) => o.label === "Independent");
  assert(other.anchored === true, "Other is anchored");
  assert(q2.display_if.question === "Q1" && q2.display_if.any_of.includes(independent.code), JSON.stringify(q2.display_if));
});

test("diagnostics_follow_every_edit_of_a_study_with_14000_rows", async ({ page, url }) => {
  // How long the main thread is blocked meanwhile is measured by scripts/bench-page.mjs, not asserted here.
  const EXAMPLE = "Immigration conjoint (Hainmueller, Hopkins & Yamamoto 2014)";
  await page.goto(url);
  await page.getByRole("button", { name: `Load example: ${EXAMPLE}` }).click();
  await page.getByRole("link", { name: EXAMPLE }).click();
  await page.getByTestId("attribute").first().waitFor();
  await page.getByRole("button", { name: "Generate and diagnose" }).click();
  await page.getByTestId("diagnostics").waitFor();
  // Male's target share moves with its weight.
  for (const [weight, target] of [["3", "75.0%"], ["1", "50.0%"], ["0.25", "20.0%"]]) {
    await page.getByLabel("Weight of Male").fill(weight);
    await page.getByLabel("Weight of Male").press("Enter");
    await page.getByTestId("save-status").getByText("All changes saved").waitFor();
    // The frequencies sit in a collapsed <details>, so compare the text rather than what is visible.
    await page.waitForFunction((target) => [...document.querySelectorAll("[data-testid=diagnostics] tr")]
      .some((row) => row.cells[1]?.textContent === "Male" && row.cells[4]?.textContent === target), target, { timeout: 10000 });
  }
});
