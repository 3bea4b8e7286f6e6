// The app shell: the study library, its storage, import errors, the unsupported-browser pages.
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { test, assert, distinctColours } from "./harness.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const EXAMPLE = "Immigration conjoint (Hainmueller, Hopkins & Yamamoto 2014)";
const fixture = () => JSON.parse(readFileSync(join(here, "../fixtures/full-study.json"), "utf8"));

async function openLibrary(page, url) {
  await page.goto(url);
  await page.getByRole("heading", { name: "Study library" }).waitFor();
  await page.getByTestId("empty-library").or(page.getByTestId("study-list")).first().waitFor();
}

async function loadExample(page) {
  await page.getByRole("button", { name: `Load example: ${EXAMPLE}` }).click();
  await page.getByTestId("study-row").filter({ hasText: EXAMPLE }).waitFor();
}

async function importFile(page, name, buffer, mimeType = "application/json") {
  const files = typeof buffer === "string" ? buffer : { name, mimeType, buffer };
  await page.locator("#import-study").setInputFiles(files);
  const notice = page.getByTestId("notice");
  await notice.waitFor();
  return notice.innerText();
}

async function createStudy(page, name) {
  await page.getByLabel("New study").fill(name);
  await page.getByRole("button", { name: "Create" }).click();
  await page.getByTestId("study-row").filter({ hasText: name }).first().waitFor();
}

test("example_loads_renames_and_survives_reload", async ({ page, url, artifacts }) => {
  await openLibrary(page, url);
  assert(await page.getByTestId("empty-library").isVisible(), "a fresh browser starts with an empty library");
  await loadExample(page);
  const row = page.getByTestId("study-row").filter({ hasText: EXAMPLE });
  assert((await row.innerText()).includes("9 attributes"), "the row summarises the example");
  assert((await row.innerText()).includes("13960 response rows"), "the row counts the human responses");
  await row.getByRole("button", { name: `Rename ${EXAMPLE}` }).click();
  await page.getByTestId("rename-input").fill("HHY immigration, renamed");
  await page.getByRole("button", { name: "Save name" }).click();
  await page.getByRole("link", { name: "HHY immigration, renamed" }).waitFor();

  await page.reload();
  await page.getByRole("link", { name: "HHY immigration, renamed" }).waitFor();
  assert((await page.getByText(EXAMPLE, { exact: true }).count()) === 0 ||
    (await page.getByTestId("study-row").count()) === 1, "the old name is gone after reload");
  assert((await page.getByTestId("study-row").count()) === 1, "one study in the library");

  const shot = await page.screenshot({ path: join(artifacts, "library.png"), fullPage: true });
  const colours = await distinctColours(page, shot);
  assert(colours > 20, `the screenshot is not blank (${colours} colours)`);
});

test("malformed_study_import_names_the_path_and_loses_nothing", async ({ page, url, artifacts }) => {
  await openLibrary(page, url);
  await createStudy(page, "Keep me");
  const broken = fixture();
  broken.conjoint.attributes[2].levels[0].name = "";
  const text = await importFile(page, "broken.json", Buffer.from(JSON.stringify(broken)));
  assert(text.includes("broken.json was not imported"), `names the file: ${text}`);
  assert(text.includes("conjoint.attributes[2].levels[0]: empty name"), `names the path: ${text}`);
  assert(text.includes("Your library is unchanged"), `reassures: ${text}`);
  assert((await page.getByTestId("study-row").count()) === 1, "nothing was added");
  await page.screenshot({ path: join(artifacts, "import-error.png"), fullPage: true });
});

test("bad_files_get_clear_messages", async ({ page, url, artifacts }) => {
  await openLibrary(page, url);
  await createStudy(page, "Keep me too");
  const future = fixture();
  future.format = "silico-study/7";
  const big = Buffer.alloc(50 * 1024 * 1024, 0x20);
  big.write('{"format": "silico-study/1", "pad": "');
  // Playwright passes buffers over 50 MB only as files on disk.
  const hugePath = join(artifacts, "huge.json");
  writeFileSync(hugePath, big);
  const cases = [
    ["not-json.json", Buffer.from("id,name\n1,x\n"), "is not valid JSON"],
    ["picture.json", Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0xff, 0xfe]), "not UTF-8 text"],
    ["future.json", Buffer.from(JSON.stringify(future)), "format silico-study/7, which is newer than this version of silico"],
    ["huge.json", hugePath, "study files are limited to 32 MB"],
    ["empty.json", Buffer.alloc(0), "the file is empty"],
  ];
  for (const [name, buffer, expected] of cases) {
    const text = await importFile(page, name, buffer);
    assert(text.includes(expected), `${name}: expected “${expected}” in “${text}”`);
    await page.getByRole("button", { name: "Dismiss message" }).click();
  }
  assert((await page.getByTestId("study-row").count()) === 1, "the library still holds exactly its one study");
  await page.reload();
  await page.getByRole("link", { name: "Keep me too" }).waitFor();
});

test("a_valid_study_file_imports_and_an_existing_id_is_not_overwritten", async ({ page, url }) => {
  await openLibrary(page, url);
  const study = Buffer.from(JSON.stringify(fixture()));
  let text = await importFile(page, "full.json", study);
  assert(text.includes("Added “Every feature of the format”"), text);
  await page.getByRole("button", { name: "Dismiss message" }).click();
  text = await importFile(page, "full-again.json", study);
  assert(text.includes("Every feature of the format (imported)"), `second import is kept apart: ${text}`);
  assert((await page.getByTestId("study-row").count()) === 2, "both imports are in the library");
});

test("study_pages_show_design_and_data", async ({ page, url, artifacts }) => {
  await openLibrary(page, url);
  await loadExample(page);
  await page.getByRole("link", { name: EXAMPLE }).click();
  await page.getByTestId("study-title").waitFor();
  const tabs = page.getByRole("navigation", { name: "Study stages" });
  for (const name of ["Design", "Field", "Analyze", "Compare"]) {
    assert(await tabs.getByRole("link", { name }).isVisible(), `tab ${name}`);
  }
  await page.getByTestId("attribute").first().waitFor();
  assert((await page.getByTestId("attribute").count()) === 9, "nine attributes in the designer");
  assert((await page.getByTestId("restrictions").locator("li").count()) === 2, "two restrictions listed");
  await page.screenshot({ path: join(artifacts, "design.png"), fullPage: true });

  await tabs.getByRole("link", { name: "Analyze" }).click();
  await page.getByTestId("response-table").waitFor();
  await page.getByTestId("response-table").locator("summary").click();
  const table = await page.getByTestId("response-table").innerText();
  assert(table.includes("13960 rows × 16 columns"), table);
  assert(table.includes("doi:10.1093/pan/mpt024"), "provenance shown");
  await page.reload();
  await page.getByTestId("response-table").waitFor();
  assert(page.url().endsWith("/analyze"), "the tab survives a reload");
  await page.screenshot({ path: join(artifacts, "analyze.png"), fullPage: true });
});

test("export_duplicate_delete", async ({ page, url }) => {
  await openLibrary(page, url);
  await createStudy(page, "Alpha");
  const row = page.getByTestId("study-row").filter({ hasText: "Alpha" });
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    row.getByRole("button", { name: "Export" }).click(),
  ]);
  assert(download.suggestedFilename() === "alpha.silico.json", download.suggestedFilename());
  const exported = JSON.parse(readFileSync(await download.path(), "utf8"));
  assert(exported.format === "silico-study/1" && exported.metadata.name === "Alpha", "export is a study file");

  await row.getByRole("button", { name: "Duplicate" }).click();
  await page.getByRole("link", { name: "Alpha (copy)" }).waitFor();
  const copy = page.getByTestId("study-row").filter({ hasText: "Alpha (copy)" });
  await copy.getByRole("button", { name: "Delete" }).click();
  await copy.getByRole("button", { name: "Yes, delete" }).click();
  await page.getByRole("link", { name: "Alpha (copy)" }).waitFor({ state: "detached" });
  await page.reload();
  await page.getByRole("link", { name: "Alpha" }).waitFor();
  assert((await page.getByTestId("study-row").count()) === 1, "only the original remains");
});

test("keyboard_only_use", async ({ page, url }) => {
  await openLibrary(page, url);
  await page.keyboard.press("Tab");
  assert(await page.evaluate(() => document.activeElement?.textContent === "Skip to content"), "first Tab reaches the skip link");
  await page.keyboard.press("Enter");
  await page.locator("#new-study-name").focus();
  await page.keyboard.type("Typed study");
  await page.keyboard.press("Enter");
  await page.getByRole("link", { name: "Typed study" }).waitFor();
  await page.getByRole("link", { name: "Typed study" }).focus();
  await page.keyboard.press("Enter");
  await page.getByTestId("study-title").waitFor();
  assert((await page.getByTestId("study-title").innerText()) === "Typed study", "opened by keyboard");
});

test("without_indexeddb_a_clear_page", async ({ page, context, url, consoleErrors, artifacts }) => {
  await context.addInitScript(() => {
    Object.defineProperty(window, "indexedDB", { value: undefined, configurable: true });
  });
  await page.goto(url);
  const alert = page.getByRole("alert").filter({ hasText: "cannot" }).first();
  await alert.waitFor();
  const text = await alert.innerText();
  assert(text.includes("IndexedDB"), `names what is missing: ${text}`);
  await page.screenshot({ path: join(artifacts, "no-indexeddb.png") });
  consoleErrors.length = 0;
});

test("without_webassembly_a_clear_page", async ({ page, context, url, consoleErrors }) => {
  await context.addInitScript(() => {
    delete window.WebAssembly;
  });
  await page.goto(url);
  await page.getByText("This browser cannot run silico").waitFor();
  assert(await page.getByText("WebAssembly", { exact: true }).isVisible(), "names WebAssembly");
  consoleErrors.length = 0;
});
