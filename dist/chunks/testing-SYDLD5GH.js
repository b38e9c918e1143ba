import { createRequire as __greenlightRequire } from 'node:module';
const require = __greenlightRequire(import.meta.url);
import {
  teamReporterFor,
  testDepsFor
} from "./chunk-KBF5R5BZ.js";
import "./chunk-CHZDSVB2.js";
import "./chunk-2TOWVX3P.js";
import "./chunk-O5BAZSXH.js";
import "./chunk-P26RPQZC.js";
import "./chunk-O5C6QCPA.js";
import "./chunk-C337HVKU.js";
import "./chunk-R6Y2HZ7J.js";
import "./chunk-C4AV673B.js";
import "./chunk-KSZB5HZC.js";
export {
  teamReporterFor,
  testDepsFor
};
