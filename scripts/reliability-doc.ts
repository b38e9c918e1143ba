// Writes docs/reliability.md from the catalogue of reliability cases
// (test/support/reliability-cases.ts); `--check` only compares and exits 1 when they differ.
// test/unit/reliability-doc.test.ts makes the same comparison on every test run.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RELIABILITY_CASES } from '../test/support/reliability-cases.ts';
import { reliabilityDoc } from '../test/support/reliability-doc.ts';

const docPath = join(new URL('..', import.meta.url).pathname, 'docs', 'reliability.md');
const rendered = reliabilityDoc(RELIABILITY_CASES);

if (process.argv.includes('--check')) {
  let committed = '';
  try {
    committed = readFileSync(docPath, 'utf8');
  } catch {
    // missing: differs
  }
  if (committed !== rendered) {
    console.error(
      'docs/reliability.md differs from test/support/reliability-cases.ts; run `npm run reliability:doc`',
    );
    process.exit(1);
  }
  console.log('docs/reliability.md matches the reliability cases');
} else {
  writeFileSync(docPath, rendered);
  console.log(`wrote docs/reliability.md (${RELIABILITY_CASES.length} cases)`);
}
