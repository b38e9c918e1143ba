/** `greenlight down|up GROUP`: spin a group's pods down (Services and history kept) and back up. */
import { type ScaleResult, scaleGroupDown, scaleGroupUp } from '../../engine/scale.ts';
import type { CliIO } from '../command.ts';
import { groupCommand, printJson } from './group-command.ts';

const COMMON = '[--kubeconfig PATH] [--groups-dir DIR] [--timeout DUR] [--lock-timeout DUR] [--json]';

export const downCommand = groupCommand({
  name: 'down',
  summary: 'scale every color of a group to zero; Services and history stay, `up` brings it back',
  usage: `greenlight down GROUP ${COMMON}`,
  defaultTimeout: '5m',
  options: {},
  async run({ validated, deps, timeoutMs, lockTimeoutMs, io, json }) {
    return report(
      io,
      json,
      await scaleGroupDown({ ...validated, timeoutMs, lockTimeoutMs, signal: deps.signal }, deps),
    );
  },
});

export const upCommand = groupCommand({
  name: 'up',
  summary: "bring a group's live release back to its replicas and wait until it serves",
  usage: `greenlight up GROUP ${COMMON}`,
  defaultTimeout: '10m',
  options: {},
  async run({ validated, deps, timeoutMs, lockTimeoutMs, io, json }) {
    return report(
      io,
      json,
      await scaleGroupUp({ ...validated, timeoutMs, lockTimeoutMs, signal: deps.signal }, deps),
    );
  },
});

function report(io: CliIO, json: boolean, result: ScaleResult): number {
  if (json)
    printJson(io, {
      outcome: result.outcome,
      liveColor: result.liveColor ?? null,
      releaseId: result.releaseId ?? null,
    });
  else if (result.outcome === 'up') io.stdout(`release ${result.releaseId} is up on ${result.liveColor}\n`);
  else
    io.stdout(`${result.outcome === 'down' ? 'scaled down' : 'already down'}; Services and history kept\n`);
  return 0;
}
