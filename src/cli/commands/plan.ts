/** `greenlight plan GROUP`: what a deploy would do, per service. Reads the registry and the cluster; writes nothing. */
import type { ParseArgsOptionsConfig } from 'node:util';
import { cliOverrideEntries } from '../../core/config/overrides.ts';
import { connectForPlan, loadGroupWithOverrides, planValidatedGroup } from '../../core/plan-group.ts';
import { renderPlanJson, renderPlanMarkdown, renderPlanTable } from '../../core/render-plan.ts';
import type { CliIO, Command } from '../command.ts';
import { parseCommandArgs, usageError } from './args.ts';

const USAGE =
  'greenlight plan GROUP [--groups-dir DIR] [--set svc=branch]... [--json|--markdown] [--registry ecr|HOST] [--kubeconfig PATH]';

const OPTIONS = {
  'groups-dir': { type: 'string', default: 'groups' },
  set: { type: 'string', multiple: true, default: [] as string[] },
  json: { type: 'boolean', default: false },
  markdown: { type: 'boolean', default: false },
  registry: { type: 'string' },
  kubeconfig: { type: 'string' },
} satisfies ParseArgsOptionsConfig;

export const planCommand: Command = {
  name: 'plan',
  summary:
    'show what deploying a group would do per service (deploy / unchanged / first-deploy); writes nothing',
  usage: USAGE,
  async run(args: string[], io: CliIO): Promise<number> {
    const parsed = parseCommandArgs(args, OPTIONS, USAGE, io);
    if (!parsed) return 2;
    const [group, ...extra] = parsed.positionals;
    if (!group || extra.length > 0) return usageError(io, 'expected exactly one GROUP', USAGE);
    if (parsed.values.json && parsed.values.markdown)
      return usageError(io, '--json and --markdown exclude each other', USAGE);
    const validated = loadGroupWithOverrides(
      { cwd: io.cwd, groupsDir: parsed.values['groups-dir'] },
      group,
      cliOverrideEntries(parsed.values.set),
    );
    const plan = await planValidatedGroup(
      validated,
      connectForPlan({
        registry: parsed.values.registry ?? 'ecr',
        env: io.env,
        kubeconfigPath: parsed.values.kubeconfig,
      }),
    );
    const render = parsed.values.json
      ? renderPlanJson
      : parsed.values.markdown
        ? renderPlanMarkdown
        : renderPlanTable;
    io.stdout(render(plan));
    return 0;
  },
};
