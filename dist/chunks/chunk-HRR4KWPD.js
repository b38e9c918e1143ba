import { createRequire as __greenlightRequire } from 'node:module';
const require = __greenlightRequire(import.meta.url);
import {
  connectKube,
  engineDepsFor,
  runContextFrom
} from "./chunk-EIL5547Z.js";
import {
  info,
  warning
} from "./chunk-XENWERP3.js";
import {
  EngineError
} from "./chunk-L2HEXJUQ.js";

// src/runner/engine.ts
var actionLog = { info: (line) => info(line), warn: (line) => warning(line) };
function cancellation() {
  const stop = new AbortController();
  for (const signal of ["SIGINT", "SIGTERM"]) {
    process.once(signal, () => stop.abort(new EngineError("cancelled", `the job was cancelled (${signal})`)));
  }
  return stop.signal;
}
function actionKubeClient() {
  return connectKube(process.env);
}
function actionEngineDeps(validated) {
  const client = actionKubeClient();
  return {
    ...engineDepsFor(client, validated.group.namespace, actionLog, runContextFrom(process.env)),
    signal: cancellation()
  };
}

export {
  actionKubeClient,
  actionEngineDeps
};
