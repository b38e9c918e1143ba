import { runAction } from '../../src/runner/run-action.ts';
import { readSwitchColorInputs } from './inputs.ts';

await runAction(readSwitchColorInputs, async () => (await import('./main.ts')).run);
