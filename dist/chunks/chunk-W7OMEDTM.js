import { createRequire as __greenlightRequire } from 'node:module';
const require = __greenlightRequire(import.meta.url);
import {
  optionalInput,
  requiredInput
} from "./chunk-BXDNX7JK.js";
import {
  groupFilePath,
  isGroupReference,
  loadGroupWithOverrides
} from "./chunk-4YEYCEBQ.js";
import {
  InputError
} from "./chunk-L2HEXJUQ.js";

// src/runner/group-inputs.ts
import { existsSync } from "node:fs";
import { resolve } from "node:path";
var GROUP_REF = /^[A-Za-z0-9][A-Za-z0-9._/-]*$/;
function readGroupInputs(source) {
  const group = requiredInput(source, "group");
  if (!GROUP_REF.test(group) || group.split("/").includes("..") || !isGroupReference(group)) {
    throw new InputError(
      `Input "group": expected a group name such as "master" or the path of a group file such as "groups/master.yaml", got "${group}"`
    );
  }
  return { group, groupsDir: optionalInput(source, "groups-dir") ?? "groups" };
}
function workspace() {
  return process.env.GITHUB_WORKSPACE ?? process.cwd();
}
function loadActionGroup(inputs, overrides = []) {
  const location = { cwd: workspace(), groupsDir: inputs.groupsDir };
  const file = groupFilePath(location, inputs.group);
  if (!existsSync(resolve(location.cwd, file))) {
    throw new InputError(
      `Input "group": no group file ${file} in the workspace (a group is a file of groups-dir "${inputs.groupsDir}", named without .yaml, or a path to one)`
    );
  }
  return loadGroupWithOverrides(location, inputs.group, overrides);
}

export {
  readGroupInputs,
  workspace,
  loadActionGroup
};
