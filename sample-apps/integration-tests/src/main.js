// Runs the checks, prints one line per check, then the JUnit XML between the markers that
// Greenlight's run-integration reads from the Job's log (and into GREENLIGHT_JUNIT_FILE if set).
// Exit code: 0 when nothing failed, 1 otherwise.

import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { JUNIT_BEGIN, JUNIT_END, renderJUnit } from './junit.js';
import { planChecks, readSettings, runChecks } from './suite.js';

const timestamp = new Date().toISOString().slice(0, 19);
const print = (line) => process.stdout.write(`${line}\n`);

let results;
let junitFile = process.env.GREENLIGHT_JUNIT_FILE || null;
try {
  const settings = readSettings(process.env);
  junitFile = settings.junitFile;
  print(
    `greenlight integration tests: ${[...settings.targets].map(([name, url]) => `${name}=${url}`).join(' ')}`,
  );
  results = await runChecks(planChecks(settings), settings, (result) => {
    const status = { passed: 'ok  ', failed: 'FAIL', skipped: 'skip' }[result.status];
    print(`${status} ${result.classname}: ${result.name}${result.message ? ` -- ${result.message}` : ''}`);
  });
} catch (error) {
  print(`FAIL configuration: ${error.message}`);
  results = [
    { classname: 'configuration', name: 'settings', status: 'failed', timeMs: 0, message: error.message },
  ];
}

const xml = renderJUnit(results, { name: 'greenlight-integration', timestamp });
print(`${JUNIT_BEGIN}\n${xml}${JUNIT_END}`);
if (junitFile) {
  await mkdir(dirname(junitFile), { recursive: true });
  await writeFile(junitFile, xml);
}
const count = (status) => results.filter((result) => result.status === status).length;
print(`${count('passed')} passed, ${count('failed')} failed, ${count('skipped')} skipped`);
process.exitCode = count('failed') === 0 ? 0 : 1;
