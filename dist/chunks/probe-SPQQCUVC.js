import { createRequire as __greenlightRequire } from 'node:module';
const require = __greenlightRequire(import.meta.url);
import {
  switchProbesFor
} from "./chunk-ERUHK7NM.js";
import "./chunk-NME52WII.js";
import "./chunk-A7DPAKFH.js";
import "./chunk-R6Y2HZ7J.js";
import "./chunk-L2HEXJUQ.js";
import "./chunk-KSZB5HZC.js";
export {
  switchProbesFor
};
