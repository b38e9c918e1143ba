import { createRequire as __greenlightRequire } from 'node:module';
const require = __greenlightRequire(import.meta.url);
import {
  GreenlightError
} from "./chunk-C4AV673B.js";
import "./chunk-KSZB5HZC.js";

// actions/run-integration/main.ts
async function run(inputs) {
  throw new GreenlightError(`run-integration: testing group "${inputs.group}" is not available yet`, {
    hint: "the blue/green engine lands in a later release; the inputs were valid"
  });
}
export {
  run
};
