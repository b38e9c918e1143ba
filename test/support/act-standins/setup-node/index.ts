/**
 * Stand-in for actions/setup-node in workflows run by act: the harness puts Node 24 first
 * on PATH, so this only checks that the requested major version is the one there, and
 * fails like a setup that could not provide it. Self-contained (act copies this folder alone).
 */
import { randomUUID } from 'node:crypto';
import { appendFileSync } from 'node:fs';

// The runner keeps the hyphen of an input's name: INPUT_NODE-VERSION.
const wanted = (process.env['INPUT_NODE-VERSION'] ?? '').trim();
const file = process.env.GREENLIGHT_STANDIN_RECORD;
const call = {
  action: 'actions/setup-node',
  job: process.env.GITHUB_JOB,
  inputs: { 'node-version': wanted },
};
if (file) appendFileSync(file, `${JSON.stringify(call)}\n`);

const major = /^v?(\d+)/.exec(wanted)?.[1];
const running = process.versions.node;
if (!major) {
  console.log(`::error::this stand-in needs node-version with a major version (got "${wanted}")`);
  process.exit(1);
}
if (running.split('.')[0] !== major) {
  console.log(`::error::node-version ${wanted} asked for, but the runner's Node is ${running}`);
  process.exit(1);
}
const output = process.env.GITHUB_OUTPUT;
if (output) {
  const delimiter = `ghadelimiter_${randomUUID()}`;
  appendFileSync(output, `node-version<<${delimiter}\nv${running}\n${delimiter}\n`);
}
console.log(`Node ${running} is on PATH (asked for ${wanted})`);
