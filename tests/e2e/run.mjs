// End-to-end tests of the built app: `node tests/e2e/run.mjs DIST_DIR`.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { run } from "./harness.mjs";
import "./shell.test.mjs";
import "./analyze.test.mjs";
import "./design.test.mjs";
import "./plots.test.mjs";
import "./field.test.mjs";
import "./compare.test.mjs";
import "./human-data.test.mjs";
import "./large-views.test.mjs";
import "./twins.test.mjs";
import "./local-model.test.mjs";
import "./first-run.test.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const root = process.argv[2] ?? join(here, "../../dist");
await run({ root, artifacts: join(here, "artifacts") });
