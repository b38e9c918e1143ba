import { createRequire as __greenlightRequire } from 'node:module';
const require = __greenlightRequire(import.meta.url);
import {
  connectKube,
  connectRegistry,
  engineDepsFor,
  lazyRegistry,
  runContextFrom,
  systemClock
} from "./chunk-YB76C73I.js";
import "./chunk-QJLG5EHB.js";
import "./chunk-I2ECG3EI.js";
import "./chunk-63LXJWUQ.js";
import "./chunk-5IX7GEB5.js";
import "./chunk-R6Y2HZ7J.js";
import "./chunk-C4AV673B.js";
import "./chunk-TAPV5QTX.js";
import "./chunk-KSZB5HZC.js";
export {
  connectKube,
  connectRegistry,
  engineDepsFor,
  lazyRegistry,
  runContextFrom,
  systemClock
};
