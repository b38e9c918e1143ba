/** `greenlight status GROUP`: per service what is live and on standby, the group's phase, its history. */
import { renderStatusJson, renderStatusTable } from '../../core/render-engine.ts';
import { groupStatus } from '../../engine/status.ts';
import { groupCommand } from './group-command.ts';

export const statusCommand = groupCommand({
  name: 'status',
  summary: 'show what each service runs live and on standby, the group phase and the last releases',
  usage: 'greenlight status GROUP [--history N] [--kubeconfig PATH] [--groups-dir DIR] [--json]',
  defaultTimeout: '2m',
  options: { history: { type: 'string', default: '10' } },
  check: (parsed) =>
    /^\d{1,3}$/.test(parsed.values.history) ? undefined : '--history: expected a number of releases',
  async run({ parsed, validated, deps, timeoutMs, io, json }) {
    const status = await groupStatus(
      { ...validated, timeoutMs, historyLimit: Number(parsed.values.history) },
      deps,
    );
    io.stdout(json ? renderStatusJson(status) : renderStatusTable(status));
    return 0;
  },
});
