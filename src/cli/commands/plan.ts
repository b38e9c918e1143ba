/** `greenlight plan GROUP`: what a deploy would do, per service. Reads the registry and the cluster; writes nothing. */
import { cliOverrideEntries } from '../../core/config/overrides.ts';
import { renderPlanJson, renderPlanMarkdown, renderPlanTable } from '../../core/render-plan.ts';
import { planGroup } from '../../engine/plan.ts';
import { groupCommand } from './group-command.ts';

const USAGE =
  'greenlight plan GROUP [--groups-dir DIR] [--set svc=branch]... [--json|--markdown] [--registry ecr|HOST] [--kubeconfig PATH]';

export const planCommand = groupCommand({
  name: 'plan',
  summary:
    'show what deploying a group would do per service (deploy / unchanged / first-deploy); writes nothing',
  usage: USAGE,
  defaultTimeout: '2m',
  options: {
    set: { type: 'string', multiple: true, default: [] as string[] },
    markdown: { type: 'boolean', default: false },
    registry: { type: 'string' },
  },
  overrides: (parsed) => cliOverrideEntries(parsed.values.set),
  check: (parsed) =>
    parsed.values.json && parsed.values.markdown ? '--json and --markdown exclude each other' : undefined,
  async run({ parsed, validated, deps, io, json }) {
    const { connectRegistry } = await import('../../wiring/connect.ts');
    const images = connectRegistry({ registry: parsed.values.registry ?? 'ecr', env: io.env });
    const { plan } = await planGroup(validated, { images, cluster: deps.cluster });
    const render = json ? renderPlanJson : parsed.values.markdown ? renderPlanMarkdown : renderPlanTable;
    io.stdout(render(plan));
    return 0;
  },
});
