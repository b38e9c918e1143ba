import { createRequire as __greenlightRequire } from 'node:module';
const require = __greenlightRequire(import.meta.url);
import {
  connectKube,
  connectRegistry,
  engineDepsFor,
  lazyRegistry,
  runContextFrom,
  systemClock
} from "./chunk-BOKV4STS.js";
import "./chunk-CHZDSVB2.js";
import "./chunk-P26RPQZC.js";
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
