// Digital twins through the real page: a small human table is uploaded and mapped, persona columns
// and held-out targets are chosen (a target's column cannot be a persona column), the page shows
// what leaves the browser for whom, the twins are fielded to the fault server (which answers from
// the persona field "hint"), and the Compare tab pairs them with their people without any export.
import { join } from "node:path";
import { test, assert, configureEndpoint } from "./harness.mjs";
import { faultServer } from "./field.test.mjs";

const SCALE = ["Not at all", "A little", "Somewhat", "Quite a lot", "Completely"];
const STUDY = Buffer.from(JSON.stringify({
  format: "silico-study/1",
  id: "twins-e2e",
  metadata: { name: "Twins e2e" },
  survey: {
    questions: [
      { id: "trust", text: "How much do you trust the national government?", answer: { type: "scale", labels: SCALE } },
      { id: "interest", text: "How interested are you in politics?", answer: { type: "scale", labels: SCALE } },
    ],
  },
}));

// 8 people: trust always equals hint (the twin answers hint), interest does not.
const PEOPLE = [
  ["R_1", 34, "woman", 1, 1, 2], ["R_2", 51, "man", 2, 2, 2], ["R_3", 29, "woman", 5, 5, 1], ["R_4", 62, "man", 4, 4, 5],
  ["R_5", 45, "woman", 3, 3, 3], ["R_6", 38, "man", 2, 2, 4], ["R_7", 70, "woman", 5, 5, 5], ["R_8", 23, "man", 1, 1, 3],
];
const CSV = "ResponseId,email,age,gender,hint,trust,interest\n" +
  PEOPLE.map(([id, age, gender, hint, trust, interest], i) => `${id},p${i}@example.org,${age},${gender},${hint},${trust},${interest}`).join("\n") + "\n";

test("twins_built_from_a_table_are_fielded_and_compared_with_their_people", async ({ page, url, artifacts }) => {
  const server = await faultServer(["--answer-from-persona", "hint"]);
  try {
    await page.goto(url);
    await page.locator("#import-study").setInputFiles({ name: "twins.json", mimeType: "application/json", buffer: STUDY });
    await page.getByRole("link", { name: "Twins e2e" }).click();
    const stages = page.getByRole("navigation", { name: "Study stages" });
    await stages.getByRole("link", { name: "Analyze" }).click();
    await page.getByLabel("Import human data").setInputFiles({ name: "panel.csv", mimeType: "text/csv", buffer: Buffer.from(CSV) });
    await page.getByTestId("import-summary").getByText("8 rows × 7 columns").waitFor({ timeout: 30000 });
    await page.getByRole("button", { name: "Match columns to survey questions" }).click();
    await page.getByTestId("mapping-preview").waitFor({ timeout: 30000 });

    const builder = page.getByTestId("twin-builder");
    // Before targets are chosen, trust may be a persona column (an earlier answer).
    assert(!(await builder.getByLabel("Persona trust").isDisabled()), "trust is a persona column until it is a target");
    assert(await builder.getByLabel("Persona email").isDisabled(), "personal data is left out unless kept");
    await builder.getByLabel("Target trust").check();
    await builder.getByLabel("Target interest").check();
    assert(await builder.getByLabel("Persona trust").isDisabled() && !(await builder.getByLabel("Persona trust").isChecked()),
      "a target's column cannot be a persona column");
    await builder.getByLabel("Persona as").selectOption("summary");
    await builder.getByLabel("Samples per question (k)").fill("2");
    await builder.getByLabel("Samples per question (k)").dispatchEvent("change");
    await builder.getByRole("button", { name: "Show what leaves the browser" }).click();
    const outgoing = await page.getByTestId("twin-outgoing").innerText({ timeout: 30000 });
    console.log(`    ${outgoing.split("\n")[0]}`);
    assert(outgoing.includes("8 people. These fields of each person leave the browser: age, gender, hint."), outgoing);
    assert(outgoing.includes("R_1") && !outgoing.includes("example.org") && !/\btrust\b/.test(outgoing), `per person, no e-mail, no target: ${outgoing}`);
    await page.screenshot({ path: join(artifacts, "twins-builder.png"), fullPage: true });
    await builder.getByRole("button", { name: "Use these twins for fielding" }).click();
    await page.getByTestId("notice").getByText("Twins set up: 8 personas").waitFor({ timeout: 30000 });

    await stages.getByRole("link", { name: "Field" }).click();
    await configureEndpoint(page, { baseUrl: server.url, model: "fault-server" });
    assert((await page.getByLabel("Samples per item", { exact: true }).inputValue()) === "2", "k from the twin builder");
    await page.getByLabel("Option order per call").selectOption("fixed");
    await page.getByRole("button", { name: "Preview the first request" }).click();
    const preview = await page.getByTestId("field-preview").innerText();
    assert(preview.includes("Persona fields of 8 respondent(s) leave this browser: age, gender, hint."), `Field preview: ${preview.slice(0, 600)}`);
    assert(preview.includes("32 calls") || preview.includes("32"), `8 people × 2 targets × 2 samples: ${preview.slice(0, 300)}`);
    await page.getByRole("button", { name: "Start fielding" }).click();
    await page.getByTestId("field-message").filter({ hasText: "Answers saved in the study" }).waitFor({ timeout: 120000 });

    await stages.getByRole("link", { name: "Compare" }).click();
    await page.getByRole("button", { name: "Pair the study's twins with their people" }).click();
    const pairs = await page.getByTestId("pairs-summary").innerText({ timeout: 30000 });
    assert(pairs.includes("16 rows"), `8 people × 2 questions paired: ${pairs}`);
    await page.getByRole("button", { name: "Compare", exact: true }).click();
    await page.getByTestId("compare-overall").waitFor({ timeout: 30000 });
    const rows = await page.getByTestId("compare-questions").locator("tbody tr").allInnerTexts();
    const cells = (name) => rows.find((r) => r.startsWith(name))?.split("\t");
    const trust = cells("trust");
    const interest = cells("interest");
    console.log(`    trust: ${trust.join(" ")}\n    interest: ${interest.join(" ")}`);
    // The twin answers its hint: trust equals hint for everyone, so every pair agrees.
    assert(trust[1] === "8" && trust[2] === "1.0000" && trust[3] === "1.0000", `trust: ${trust}`);
    // interest: accuracy 1 − |hint − interest| / 4, averaged over the people.
    const expected = PEOPLE.reduce((s, p) => s + 1 - Math.abs(p[3] - p[5]) / 4, 0) / PEOPLE.length;
    assert(interest[1] === "8" && interest[2] === expected.toFixed(4), `interest accuracy ${interest[2]} vs ${expected.toFixed(4)}`);
    const humanMean = PEOPLE.reduce((s, p) => s + p[5], 0) / PEOPLE.length;
    assert(interest[8] === humanMean.toFixed(3), `people's interest mean ${interest[8]} vs ${humanMean.toFixed(3)}`);
    await page.screenshot({ path: join(artifacts, "twins-compare.png"), fullPage: true });
  } finally {
    server.stop();
  }
});
