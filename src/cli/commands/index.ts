import type { Command } from '../command.ts';

/** Every CLI command, in the order `greenlight --help` lists them. */
export const COMMANDS: readonly Command[] = [];
