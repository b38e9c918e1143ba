import { runAction } from '../../src/runner/run-action.ts';
import { readDeployGroupInputs } from './inputs.ts';

await runAction(readDeployGroupInputs, async () => (await import('./main.ts')).run);
