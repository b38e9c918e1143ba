import { createRequire as __greenlightRequire } from 'node:module';
const require = __greenlightRequire(import.meta.url);
import {
  optionalInput,
  requiredInput
} from "./chunk-SLHB5AT2.js";
import {
  loadGroupWithOverrides
} from "./chunk-Z2QY6FNB.js";
import {
  InputError
} from "./chunk-L2HEXJUQ.js";

// src/runner/group-inputs.ts
var GROUP_REF = /^[A-Za-z0-9][A-Za-z0-9._/-]*$/;
function readGroupInputs(source) {
  const group = requiredInput(source, "group");
  if (!GROUP_REF.test(group) || group.split("/").includes("..")) {
    throw new InputError(
      `Input "group": expected a group name such as "master" or a path such as "groups/master.yaml", got "${group}"`
    );
  }
  return { group, groupsDir: optionalInput(source, "groups-dir") ?? "groups" };
}
function workspace() {
  return process.env.GITHUB_WORKSPACE ?? process.cwd();
}
function loadActionGroup(inputs, overrides = []) {
  return loadGroupWithOverrides({ cwd: workspace(), groupsDir: inputs.groupsDir }, inputs.group, overrides);
}

export {
  readGroupInputs,
  workspace,
  loadActionGroup
};
