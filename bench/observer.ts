/**
 * The independent observer: a process of its own that watches the Services of one
 * namespace and writes every change with the time it saw it, one JSON line each. The
 * mixed window is read from this record, never from the measured tool's own output.
 *
 *   node bench/observer.ts --kubeconfig PATH --namespace NS --out FILE
 *
 * Prints `watching` once the watch is open; stops on SIGTERM or SIGINT, or by itself
 * after --max-seconds (default 3600).
 */
import { appendFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { kubeConfigFrom, watchObjects } from './watch.ts';

export interface ObservedServiceEvent {
  /** ms since the epoch, with sub-millisecond precision */
  t: number;
  type: string;
  name: string;
  selector: Record<string, string>;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      kubeconfig: { type: 'string' },
      namespace: { type: 'string' },
      out: { type: 'string' },
      'max-seconds': { type: 'string', default: '3600' },
    },
    strict: true,
  });
  const { kubeconfig, namespace, out } = values;
  if (!kubeconfig || !namespace || !out) {
    process.stderr.write('usage: node bench/observer.ts --kubeconfig PATH --namespace NS --out FILE\n');
    process.exit(2);
  }
  writeFileSync(out, '');
  const kc = kubeConfigFrom(kubeconfig);
  const watch = await watchObjects(kc, `/api/v1/namespaces/${namespace}/services`, (type, object) => {
    const event: ObservedServiceEvent = {
      t: performance.timeOrigin + performance.now(),
      type,
      name: object.metadata?.name ?? '',
      selector: ((object.spec as { selector?: Record<string, string> } | undefined)?.selector ??
        {}) as Record<string, string>,
    };
    appendFileSync(out, `${JSON.stringify(event)}\n`);
  });
  process.stdout.write('watching\n');
  const stop = () => {
    watch.stop();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  setTimeout(stop, Number(values['max-seconds']) * 1000).unref();
  // keep the process alive while the watch runs
  setInterval(() => {}, 60_000);
}

await main();
