// Plots in the Analyze tab: the AMCE plot is drawn on a canvas in the Okabe–Ito colours, subgroups are
// overlaid beside their differences, baselines and weights reach the worker, and PNG/SVG download.
import { join } from "node:path";
import { readFile, writeFile } from "node:fs/promises";
import { test, assert, IMMIGRATION, openExampleAnalyze } from "./harness.mjs";

const EXAMPLE = IMMIGRATION;

async function estimate(page) {
  await page.getByRole("button", { name: "Estimate" }).click();
  await page.getByTestId("estimates-plot").waitFor({ timeout: 30000 });
  // The canvas is painted in an effect after it is mounted.
  await page.waitForFunction(() => {
    const c = document.querySelector("[data-testid=estimates-plot]");
    return c && c.width > 0 && c.height > 100;
  });
}

/** Pixel census of the plot canvas: size, non-white share, and counts of the given colours. */
function canvasColours(page, colours) {
  return page.getByTestId("estimates-plot").evaluate((canvas, colours) => {
    const { data } = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height);
    const counts = Object.fromEntries(Object.keys(colours).map((k) => [k, 0]));
    let ink = 0;
    for (let i = 0; i < data.length; i += 4) {
      const [r, g, b] = [data[i], data[i + 1], data[i + 2]];
      if (r < 245 || g < 245 || b < 245) ink += 1;
      for (const [name, [cr, cg, cb]] of Object.entries(colours)) {
        if (Math.abs(r - cr) <= 2 && Math.abs(g - cg) <= 2 && Math.abs(b - cb) <= 2) counts[name] += 1;
      }
    }
    return { width: canvas.width, height: canvas.height, ink: ink / (data.length / 4), counts };
  }, colours);
}

const OKABE_ITO = {
  blue: [0x00, 0x72, 0xb2], vermillion: [0xd5, 0x5e, 0x00], green: [0x00, 0x9e, 0x73],
  orange: [0xe6, 0x9f, 0x00], purple: [0xcc, 0x79, 0xa7], reference: [0x44, 0x44, 0x44],
};

test("the_amce_plot_is_drawn_and_downloads_as_png_and_svg", async ({ page, url, artifacts }) => {
  await openExampleAnalyze(page, url);
  await estimate(page);
  const census = await canvasColours(page, OKABE_ITO);
  assert(census.width >= 880 && census.height > 900, `one row per level makes a tall plot: ${JSON.stringify(census)}`);
  assert(census.ink > 0.02 && census.ink < 0.6, `drawn, not blank: ${census.ink}`);
  assert(census.counts.blue > 2000, `estimates in Okabe–Ito blue: ${JSON.stringify(census.counts)}`);
  assert(census.counts.reference > 300, `a line at 0: ${census.counts.reference}`);
  assert(census.counts.vermillion === 0, "one series, one colour");
  await page.getByTestId("estimates-plot").screenshot({ path: join(artifacts, "plot-amce-canvas.png") });

  const [png] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Download PNG" }).click()]);
  assert(png.suggestedFilename().endsWith("-amce.png"), png.suggestedFilename());
  const pngPath = join(artifacts, "plot-amce-download.png");
  await png.saveAs(pngPath);
  const bytes = await readFile(pngPath);
  assert(bytes.subarray(1, 4).toString() === "PNG" && bytes.length > 20000, `a real PNG (${bytes.length} bytes)`);

  const [svg] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Download SVG" }).click()]);
  assert(svg.suggestedFilename().endsWith("-amce.svg"), svg.suggestedFilename());
  const svgText = await readFile(await svg.path(), "utf8");
  await writeFile(join(artifacts, "plot-amce-download.svg"), svgText);
  assert(svgText.startsWith("<svg") && svgText.includes("Average marginal component effects"), "SVG with its title");
  for (const label of ["Education", "LanguageSkills", "Doctor", "Used Interpreter", "Female"]) {
    assert(svgText.includes(`>${label}<`) || svgText.includes(`>\n${label}\n<`) || svgText.includes(label), `SVG labels ${label}`);
  }
  assert((svgText.match(/<circle /g) ?? []).length === 50, "one dot per level");
});

test("subgroups_are_overlaid_in_colours_beside_their_differences", async ({ page, url, artifacts }) => {
  await openExampleAnalyze(page, url);
  await page.getByLabel("Subgroups by").selectOption("contest_no");
  await estimate(page);
  const table = page.getByTestId("estimates");
  await table.getByRole("columnheader", { name: "contest_no" }).waitFor();
  const groups = await table.locator("tbody tr td:first-child").allInnerTexts();
  assert(new Set(groups).size === 5 && groups.length === 250, `five groups of 50 levels: ${new Set(groups).size}, ${groups.length}`);
  const census = await canvasColours(page, OKABE_ITO);
  for (const colour of ["blue", "vermillion", "green", "orange", "purple"]) {
    assert(census.counts[colour] > 200, `group colour ${colour}: ${JSON.stringify(census.counts)}`);
  }
  assert(await page.getByRole("button", { name: "Download differences CSV" }).isVisible(), "differences downloadable");
  await page.getByTestId("estimates-plot").screenshot({ path: join(artifacts, "plot-subgroups-canvas.png") });
  const [svg] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Download SVG" }).click()]);
  assert(svg.suggestedFilename().endsWith("-amce-by-contest-no.svg"), svg.suggestedFilename());
  const svgText = await readFile(await svg.path(), "utf8");
  assert(svgText.includes("Difference from contest_no = 1"), "the difference panel");
});

test("baselines_weights_and_marginal_means_reach_the_plot", async ({ page, url, artifacts }) => {
  await openExampleAnalyze(page, url);
  await page.getByText("Baseline levels").click();
  await page.getByLabel("Gender", { exact: true }).selectOption("Male");
  await estimate(page);
  const female = await page.getByTestId("estimates").locator("tbody tr")
    .filter({ has: page.getByRole("cell", { name: "Female", exact: true }) }).first().innerText();
  assert(female.includes("0.024978"), `Female against a Male baseline: ${female}`);
  assert((await page.getByLabel("Gender", { exact: true }).inputValue()) === "Male", "the choice stays shown");
  const shown = await page.getByLabel("Gender", { exact: true }).evaluate((s) => s.options[s.selectedIndex].text);
  assert(shown === "Male", `the select shows the chosen baseline: ${shown}`);

  await page.getByLabel("Marginal means").check();
  await estimate(page);
  await page.getByTestId("estimates").getByRole("heading", { name: "Marginal means" }).waitFor();
  const census = await canvasColours(page, OKABE_ITO);
  assert(census.counts.blue > 2000 && census.counts.reference > 300, `MM plot with its line: ${JSON.stringify(census.counts)}`);
  await page.getByTestId("estimates-plot").screenshot({ path: join(artifacts, "plot-mm-canvas.png") });
  await page.screenshot({ path: join(artifacts, "plot-mm-page.png"), fullPage: false });

  // A weights column with zeros is refused with its name, and the form stays usable.
  await page.getByLabel("Weights").selectOption("ethnocentrism");
  await page.getByRole("button", { name: "Estimate" }).click();
  const error = await page.getByTestId("estimate-error").innerText();
  assert(error.includes("ethnocentrism"), `names the weights column: ${error}`);
});
