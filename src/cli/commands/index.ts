import type { Command } from '../command.ts';
import { dueCommand } from './due.ts';
import { planCommand } from './plan.ts';
import { validateCommand } from './validate.ts';

/** Every CLI command, in the order `greenlight --help` lists them. */
export const COMMANDS: readonly Command[] = [validateCommand, planCommand, dueCommand];
