import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { OverrideEntry } from '../core/config/overrides.ts';
import { InputError } from '../core/errors.ts';
import {
  groupFilePath,
  isGroupReference,
  loadGroupWithOverrides,
  type ValidatedGroup,
} from '../disk/groups.ts';
import { type InputSource, optionalInput, requiredInput } from './inputs.ts';

/** The inputs every group action shares: which group, where its files live. */
export interface GroupInputs {
  group: string;
  groupsDir: string;
}

const GROUP_REF = /^[A-Za-z0-9][A-Za-z0-9._/-]*$/;

export function readGroupInputs(source: InputSource): GroupInputs {
  const group = requiredInput(source, 'group');
  if (!GROUP_REF.test(group) || group.split('/').includes('..') || !isGroupReference(group)) {
    throw new InputError(
      `Input "group": expected a group name such as "master" or the path of a group file such as "groups/master.yaml", got "${group}"`,
    );
  }
  return { group, groupsDir: optionalInput(source, 'groups-dir') ?? 'groups' };
}

/** Where the job checked out the repository: relative paths (groups-dir) are taken from here. */
export function workspace(): string {
  return process.env.GITHUB_WORKSPACE ?? process.cwd();
}

/** The group and the catalog (and overrides), validated: part of reading the inputs, before anything heavy loads. */
export function loadActionGroup(
  inputs: GroupInputs,
  overrides: readonly OverrideEntry[] = [],
): ValidatedGroup {
  const location = { cwd: workspace(), groupsDir: inputs.groupsDir };
  const file = groupFilePath(location, inputs.group);
  if (!existsSync(resolve(location.cwd, file))) {
    throw new InputError(
      `Input "group": no group file ${file} in the workspace (a group is a file of groups-dir "${inputs.groupsDir}", named without .yaml, or a path to one)`,
    );
  }
  return loadGroupWithOverrides(location, inputs.group, overrides);
}
