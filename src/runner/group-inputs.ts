import { InputError } from '../core/errors.ts';
import { type InputSource, optionalInput, requiredInput } from './inputs.ts';

/** The inputs every group action shares: which group, where its files live. */
export interface GroupInputs {
  group: string;
  groupsDir: string;
}

const GROUP_REF = /^[A-Za-z0-9][A-Za-z0-9._/-]*$/;

export function readGroupInputs(source: InputSource): GroupInputs {
  const group = requiredInput(source, 'group');
  if (!GROUP_REF.test(group) || group.split('/').includes('..')) {
    throw new InputError(
      `Input "group": expected a group name such as "master" or a path such as "groups/master.yaml", got "${group}"`,
    );
  }
  return { group, groupsDir: optionalInput(source, 'groups-dir') ?? 'groups' };
}
