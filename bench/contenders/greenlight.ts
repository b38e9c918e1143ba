/**
 * The Greenlight contender drives the CLI exactly as a person would:
 *
 *   node bin/greenlight.js deploy GROUP --groups-dir DIR --registry HOST --kubeconfig PATH
 *   node bin/greenlight.js promote GROUP --force --reason bench --scale-down-delay keep ...
 *
 * `deploy` returns once every standby Deployment is Available; `promote --force` switches
 * without a recorded verification (the benchmark measures the switch, not the tests); the
 * first deploy of a group goes to a standby and the following promote makes it live
 * (prepare() relies on that). It is skipped, with the reason in the results, if the CLI
 * ever lists no `deploy` or `promote`. GREENLIGHT_BENCH_CPU_PROF=DIR profiles every run.
 * The runner counts the CLI's requests under its own identity (`greenlight`), observes
 * the live Services `<svc>` (selector label greenlight.dev/color) for the mixed window,
 * and takes the peak RSS of the CLI process from GNU time.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Contender, ContenderContext } from '../contender.ts';
import { run, runMeasured } from '../exec.ts';
import { type BenchGroup, writeGroupFiles } from '../groups.ts';

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = join(REPO_ROOT, 'bin', 'greenlight.js');
const IDENTITY = 'greenlight';

const DEPLOY_ARGS = (group: BenchGroup, kubeconfig: string) => [
  'deploy',
  group.name,
  '--groups-dir',
  group.groupsDir,
  '--registry',
  group.registry,
  '--kubeconfig',
  kubeconfig,
];
const PROMOTE_ARGS = (group: BenchGroup, kubeconfig: string) => [
  'promote',
  group.name,
  '--force',
  '--reason',
  'bench',
  // The switch is what is timed, as for the other contenders; the old color stays up.
  '--scale-down-delay',
  'keep',
  '--groups-dir',
  group.groupsDir,
  '--kubeconfig',
  kubeconfig,
];

/** Why the CLI cannot be benchmarked yet, or undefined when it has deploy and promote. */
export async function greenlightUnavailable(): Promise<string | undefined> {
  const help = await run(process.execPath, [CLI, '--help'], { timeoutMs: 30_000, allowFailure: true });
  const text = `${help.stdout}${help.stderr}`;
  const missing = ['deploy', 'promote'].filter(
    (command) => !new RegExp(`^\\s+${command}\\b`, 'm').test(text),
  );
  if (missing.length === 0) return undefined;
  return `the CLI (bin/greenlight.js --help) has no ${missing.join(' or ')} command yet: the blue/green engine is not merged`;
}

export function greenlightContender(): Contender {
  const kubeconfigOf = (ctx: ContenderContext) => {
    const path = ctx.identities.get(IDENTITY)?.kubeconfig;
    if (!path) throw new Error(`greenlight: identity ${IDENTITY} missing`);
    return path;
  };
  const cli = async (args: string[], ctx: ContenderContext) => {
    // GREENLIGHT_BENCH_CPU_PROF=DIR writes a V8 CPU profile of every CLI run there (node --cpu-prof).
    const profile = process.env.GREENLIGHT_BENCH_CPU_PROF;
    const flags = profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : [];
    const result = await runMeasured(process.execPath, [...flags, CLI, ...args], {
      timeoutMs: ctx.timeoutMs,
      cwd: REPO_ROOT,
    });
    return { peakRssBytes: result.peakRssBytes };
  };

  return {
    name: 'greenlight',
    label: 'Greenlight',
    identities: [IDENTITY],
    unavailable: greenlightUnavailable,

    prepare: async (group, ctx) => {
      // live at v1 first (not measured), then the group file follows master (v2) for the run
      writeGroupFiles(group, 'v1');
      await cli(DEPLOY_ARGS(group, ctx.adminKubeconfig), ctx);
      await cli(PROMOTE_ARGS(group, ctx.adminKubeconfig), ctx);
      writeGroupFiles(group);
    },
    deploy: (group, ctx) => cli(DEPLOY_ARGS(group, kubeconfigOf(ctx)), ctx),
    promote: (group, ctx) => cli(PROMOTE_ARGS(group, kubeconfigOf(ctx)), ctx),
  };
}
