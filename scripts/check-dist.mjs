// The committed bundles must equal a fresh build. `git status --porcelain` (not `git diff`)
// also catches a bundle that was never committed at all.
import { execFileSync } from 'node:child_process';

const paths = ['actions', 'dist'];
const status = () => execFileSync('git', ['status', '--porcelain', '--', ...paths], { encoding: 'utf8' });

const before = status();
execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
const after = status();

if (after !== before || (process.env.CI && after !== '')) {
  console.error('dist check: the bundles differ from a fresh build (run `npm run build` and commit):');
  console.error(after || '(files changed by the build, then matched the working tree)');
  console.error(execFileSync('git', ['diff', '--stat', '--', ...paths], { encoding: 'utf8' }));
  process.exit(1);
}
console.log(`dist check: bundles equal a fresh build${after ? ' (uncommitted bundle changes present)' : ''}`);
