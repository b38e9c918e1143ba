/**
 * What every group command shares: `GROUP`, `--groups-dir`, `--kubeconfig`, `--json`,
 * `--timeout`, `--lock-timeout`; the group validated before anything is contacted; the
 * engine's deps against the group's namespace; progress lines on stderr.
 */
import type { ParseArgsOptionsConfig } from 'node:util';
import type { OverrideEntry } from '../../core/config/overrides.ts';
import { parseDuration } from '../../core/duration.ts';
import type { ProgressLog } from '../../core/ports.ts';
import { loadGroupWithOverrides, type ValidatedGroup } from '../../disk/groups.ts';
import { DEFAULT_LOCK_TIMEOUT_MS, type EngineDeps } from '../../engine/deps.ts';
import type { KubeClient } from '../../kube/client.ts';
import type { CliIO, Command } from '../command.ts';
import { type ParsedArgs, parseCommandArgs, usageError } from './args.ts';

export const GROUP_OPTIONS = {
  'groups-dir': { type: 'string', default: 'groups' },
  kubeconfig: { type: 'string' },
  json: { type: 'boolean', default: false },
  timeout: { type: 'string' },
  'lock-timeout': { type: 'string' },
} satisfies ParseArgsOptionsConfig;

export interface GroupContext<Options extends ParseArgsOptionsConfig> {
  parsed: ParsedArgs<Options & typeof GROUP_OPTIONS>;
  validated: ValidatedGroup;
  deps: EngineDeps & { signal?: AbortSignal | undefined };
  /** The cluster client the deps use, for commands that need more of it (tests). */
  client: KubeClient;
  timeoutMs: number;
  lockTimeoutMs: number;
  io: CliIO;
  json: boolean;
}

export interface GroupCommandSpec<Options extends ParseArgsOptionsConfig> {
  name: string;
  summary: string;
  usage: string;
  options: Options;
  defaultTimeout: string;
  /** Branch overrides from the arguments (deploy and plan take --set). */
  overrides?: (parsed: ParsedArgs<Options & typeof GROUP_OPTIONS>) => OverrideEntry[];
  /** Extra checks of the arguments; a string is a usage error. */
  check?: (parsed: ParsedArgs<Options & typeof GROUP_OPTIONS>) => string | undefined;
  run(context: GroupContext<Options>): Promise<number>;
}

export function groupCommand<Options extends ParseArgsOptionsConfig>(
  spec: GroupCommandSpec<Options>,
): Command {
  return {
    name: spec.name,
    summary: spec.summary,
    usage: spec.usage,
    async run(args, io) {
      const options = { ...GROUP_OPTIONS, ...spec.options } as Options & typeof GROUP_OPTIONS;
      const parsed = parseCommandArgs(args, options, spec.usage, io);
      if (!parsed) return 2;
      const [group, ...extra] = parsed.positionals;
      if (!group || extra.length > 0) return usageError(io, 'expected exactly one GROUP', spec.usage);
      const problem = spec.check?.(parsed);
      if (problem) return usageError(io, problem, spec.usage);
      const values = parsed.values as Record<string, unknown>;
      const timeoutMs = parseDuration(String(values.timeout ?? spec.defaultTimeout), '--timeout');
      const lockTimeoutMs = values['lock-timeout']
        ? parseDuration(String(values['lock-timeout']), '--lock-timeout')
        : DEFAULT_LOCK_TIMEOUT_MS;
      // Validation first: bad config or arguments fail before anything is contacted.
      const validated = loadGroupWithOverrides(
        { cwd: io.cwd, groupsDir: String(values['groups-dir'] ?? 'groups') },
        group,
        spec.overrides?.(parsed) ?? [],
      );
      // The cluster and registry clients are loaded only now: `--help`, usage errors and bad config stay fast.
      const { connectKube, engineDepsFor, runContextFrom } = await import('../../wiring/connect.ts');
      const client = connectKube(
        io.env,
        values.kubeconfig === undefined ? undefined : String(values.kubeconfig),
      );
      const deps = {
        ...engineDepsFor(client, validated.group.namespace, stderrLog(io), runContextFrom(io.env)),
        signal: io.signal,
      };
      return spec.run({
        parsed,
        validated,
        deps,
        client,
        timeoutMs,
        lockTimeoutMs,
        io,
        json: values.json === true,
      });
    },
  };
}

export function stderrLog(io: CliIO): ProgressLog {
  return {
    info: (line) => io.stderr(`${line}\n`),
    warn: (line) => io.stderr(`warning: ${line}\n`),
  };
}

export function printJson(io: CliIO, value: unknown): void {
  io.stdout(`${JSON.stringify(value, null, 2)}\n`);
}
