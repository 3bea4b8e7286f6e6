// The Analyze tab estimates in the Web Worker and shows cregg's numbers for the bundled example.
import { join } from "node:path";
import { test, assert, IMMIGRATION, openExampleAnalyze, estimateRowText as rowText } from "./harness.mjs";

const EXAMPLE = IMMIGRATION;

test("amce_of_the_example_matches_cregg_through_the_worker", async ({ page, url, artifacts }) => {
  await openExampleAnalyze(page, url);
  assert((await page.getByLabel("Outcome").inputValue()) === "ChosenImmigrant", "outcome found by its role");
  assert((await page.getByLabel("Respondent id (clusters)").inputValue()) === "CaseID", "respondent id found by its role");
  await page.getByRole("button", { name: "Estimate" }).click();
  await page.getByTestId("estimates").waitFor({ timeout: 30000 });
  const male = await rowText(page, "Male");
  // Additive model, cregg's clustered SEs (oracle: −0.02497843476, SE 0.00798300916).
  assert(male.includes("-0.024978") && male.includes("0.007983"), `Male row: ${male}`);
  const female = await rowText(page, "Female");
  assert(female.includes("0.000000") && !female.includes("["), `baseline at 0 without an interval: ${female}`);
  await page.screenshot({ path: join(artifacts, "amce.png"), fullPage: true });
});

test("marginal_means_and_a_constrained_formula", async ({ page, url }) => {
  await openExampleAnalyze(page, url);
  await page.getByLabel("Marginal means").check();
  await page.getByRole("button", { name: "Estimate" }).click();
  await page.getByTestId("estimates").waitFor({ timeout: 30000 });
  const male = await rowText(page, "Male");
  assert(male.includes("0.487701") && male.includes("0.004354"), `MM Male row: ${male}`);

  await page.getByLabel("AMCE").check();
  await page.getByLabel("Features").fill(
    "Gender + LanguageSkills + PriorEntry + Education*Job + CountryOfOrigin*ReasonForApplication + JobExperience + JobPlans");
  await page.getByRole("button", { name: "Estimate" }).click();
  await page.getByTestId("estimates").getByRole("heading", { name: "Average marginal component effects" }).waitFor({ timeout: 30000 });
  const maleConstrained = await rowText(page, "Male");
  // cregg vignette: Male −0.026023159 (0.008012413).
  assert(maleConstrained.includes("-0.026023") && maleConstrained.includes("0.008012"), `constrained: ${maleConstrained}`);
});

test("a_bad_model_gets_a_clear_message", async ({ page, url }) => {
  await openExampleAnalyze(page, url);
  await page.getByLabel("Features").fill("Gender + Shoesize");
  await page.getByRole("button", { name: "Estimate" }).click();
  const error = await page.getByTestId("estimate-error").innerText();
  assert(error.includes("Shoesize"), `names the unknown column: ${error}`);
  assert(await page.getByRole("button", { name: "Estimate" }).isEnabled(), "the form is usable again");
});
