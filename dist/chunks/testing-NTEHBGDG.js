import { createRequire as __greenlightRequire } from 'node:module';
const require = __greenlightRequire(import.meta.url);
import {
  teamReporterFor,
  testDepsFor
} from "./chunk-KVPUWJCL.js";
import "./chunk-2REIP6HU.js";
import "./chunk-NME52WII.js";
import "./chunk-KPV6YZKB.js";
import "./chunk-A7DPAKFH.js";
import "./chunk-KSGAWSJL.js";
import "./chunk-C337HVKU.js";
import "./chunk-R6Y2HZ7J.js";
import "./chunk-L2HEXJUQ.js";
import "./chunk-KSZB5HZC.js";
export {
  teamReporterFor,
  testDepsFor
};
