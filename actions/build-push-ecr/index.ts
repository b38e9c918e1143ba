import { runAction } from '../../src/runner/run-action.ts';
import { readActionInputs } from './inputs.ts';

await runAction(readActionInputs, async () => (await import('./main.ts')).run);
