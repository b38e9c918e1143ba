/**
 * Where a detached stack (`stack:up`, `npm run demo -- --keep`) records itself, so that a
 * later `stack:down --name NAME` finds and stops it: $GREENLIGHT_CACHE/stack/<name>/state.json.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { groupAlive } from './process.ts';
import type { StackState } from './stack.ts';
import { cacheDir } from './tools.ts';

export function stackStatePath(name: string): string {
  return join(cacheDir(), 'stack', name, 'state.json');
}

export function readStackState(name: string): StackState | undefined {
  const path = stackStatePath(name);
  if (!existsSync(path)) return undefined;
  return JSON.parse(readFileSync(path, 'utf8')) as StackState;
}

export function writeStackState(name: string, state: StackState): void {
  const path = stackStatePath(name);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(state, null, 2)}\n`);
}

/** Every process the state names is still alive. */
export function stackRunning(state: StackState): boolean {
  return state.processes.length > 0 && state.processes.every((p) => groupAlive(p.pid));
}
