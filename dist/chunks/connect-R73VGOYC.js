import { createRequire as __greenlightRequire } from 'node:module';
const require = __greenlightRequire(import.meta.url);
import {
  connectKube,
  connectRegistry,
  engineDepsFor,
  lazyRegistry,
  runContextFrom,
  systemClock
} from "./chunk-EIL5547Z.js";
import "./chunk-2REIP6HU.js";
import "./chunk-NME52WII.js";
import "./chunk-A7DPAKFH.js";
import "./chunk-IQQIDYJJ.js";
import "./chunk-XHBTLDLT.js";
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
