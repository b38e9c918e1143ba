import { createRequire as __greenlightRequire } from 'node:module';
const require = __greenlightRequire(import.meta.url);
import {
  debug,
  getInput,
  setFailed,
  setOutput,
  setSecret,
  summary
} from "./chunk-XENWERP3.js";
import {
  GreenlightError,
  describeError
} from "./chunk-L2HEXJUQ.js";

// src/runner/run-action.ts
var actionsInputSource = { get: (name) => getInput(name) };
async function runAction(readInputs, load) {
  if (process.env.REGISTRY_PASSWORD) setSecret(process.env.REGISTRY_PASSWORD);
  try {
    const inputs = readInputs(actionsInputSource);
    const body = await load();
    await body(inputs);
  } catch (error) {
    if (!(error instanceof GreenlightError)) {
      debug(describeError(error));
      setFailed(String(error));
    } else {
      setOutput("failure", error.kind);
      setFailed(describeError(error));
      await writeFailureSummary(error);
    }
  }
  process.exit();
}
async function writeFailureSummary(error) {
  if (!process.env.GITHUB_STEP_SUMMARY) return;
  const fence = "```";
  await summary.addRaw(
    [
      `### Greenlight: ${error.kind}`,
      "",
      `${fence}text
${error.message}
${fence}`,
      ...error.hint ? ["", `**What to do:** ${error.hint}`] : [],
      ""
    ].join("\n")
  ).write();
}

export {
  runAction
};
