import type { Command } from '../command.ts';
import { deployCommand } from './deploy.ts';
import { dueCommand } from './due.ts';
import { junitCommand } from './junit.ts';
import { planCommand } from './plan.ts';
import { downCommand, upCommand } from './scale.ts';
import { statusCommand } from './status.ts';
import { promoteCommand, rejectCommand, rollbackCommand } from './switch.ts';
import { testCommand } from './test.ts';
import { validateCommand } from './validate.ts';

/** Every CLI command, in the order `greenlight --help` lists them. */
export const COMMANDS: readonly Command[] = [
  validateCommand,
  planCommand,
  deployCommand,
  statusCommand,
  testCommand,
  promoteCommand,
  rejectCommand,
  rollbackCommand,
  downCommand,
  upCommand,
  junitCommand,
  dueCommand,
];
