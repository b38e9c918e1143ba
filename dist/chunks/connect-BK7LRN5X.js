import { createRequire as __greenlightRequire } from 'node:module';
const require = __greenlightRequire(import.meta.url);
import {
  connectKube,
  connectRegistry,
  engineDepsFor,
  lazyRegistry,
  runContextFrom,
  systemClock
} from "./chunk-FDJPS3KN.js";
import "./chunk-2M56IMSN.js";
import "./chunk-BABA3YGI.js";
import "./chunk-R6Y2HZ7J.js";
import "./chunk-L2HEXJUQ.js";
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
