import { EngineError } from '../core/errors.ts';
import { main } from './main.ts';

// The first SIGINT/SIGTERM asks the running operation to stop (it releases the namespace
// lock on its way out); a second one exits at once.
const stop = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stop.signal.aborted) process.exit(130);
    process.stderr.write(`greenlight: ${signal}, stopping (again to exit at once)\n`);
    stop.abort(new EngineError('cancelled', `interrupted by ${signal}`));
  });
}

process.exitCode = await main(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  cwd: process.cwd(),
  signal: stop.signal,
});
// The command is done and every write it made was answered. What may still be open is a
// watch the API server never began to answer: client-node's Watch cannot be cancelled
// before it connects, and would hold the process for its own 30 s timeout.
process.exit();
