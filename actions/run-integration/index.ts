import { runAction } from '../../src/runner/run-action.ts';
import { readRunIntegrationInputs } from './inputs.ts';

await runAction(readRunIntegrationInputs, async () => (await import('./main.ts')).run);
