// Probes the targets until GREENLIGHT_PROBE_DURATION_MS has passed or SIGTERM arrives,
// printing the running count every GREENLIGHT_PROBE_REPORT_MS as one line:
//   greenlight-probe-report {"elapsedMs":...,"sent":...,"failed":...,"done":false,...}
// Greenlight reads the last such line from the pod's log while the probe still runs; the
// final one (after the duration or a signal) says "done":true. Exit 0, or 2 on bad settings.

import { readSettings } from './config.js';
import { REPORT_MARKER, startProbe } from './probe.js';

const print = (report) => process.stdout.write(`${REPORT_MARKER}${JSON.stringify(report)}\n`);

let settings;
try {
  settings = readSettings(process.env);
} catch (error) {
  print({ error: error.message, done: true });
  process.exit(2);
}

process.stdout.write(
  `greenlight switch probe: ${settings.targets.map((t) => `${t.name}=${t.url}`).join(' ')} at ${settings.rate}/s each, for at most ${settings.durationMs} ms\n`,
);
const probe = startProbe(settings);
const reporting = setInterval(() => print(probe.report()), settings.reportEveryMs);

async function finish() {
  clearInterval(reporting);
  clearTimeout(deadline);
  print(await probe.stop());
  process.exit(0);
}

const deadline = setTimeout(finish, settings.durationMs);
for (const signal of ['SIGTERM', 'SIGINT']) process.once(signal, finish);
