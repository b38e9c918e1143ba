import { runAction } from '../../src/action/run-action.ts';
import { run } from './main.ts';

await runAction(run);
