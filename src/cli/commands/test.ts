/** `greenlight test GROUP`: the group's integration tests against its standby; exit 0 when they passed. */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { renderJUnitText } from '../../core/report/render.ts';
import { runIntegrationTests, type TestMode } from '../../engine/test-run.ts';
import { groupCommand, printJson } from './group-command.ts';

const MODES: readonly TestMode[] = ['auto', 'job', 'command'];

export const testCommand = groupCommand({
  name: 'test',
  summary:
    "run a group's integration tests against its standby and record the verification of exactly those digests",
  usage:
    'greenlight test GROUP [--release ID] [--mode auto|job|command] [--urls port-forward|in-cluster] [--report FILE] [--registry ecr|HOST] [--kubeconfig PATH] [--groups-dir DIR] [--lock-timeout DUR] [--json]',
  defaultTimeout: '30m',
  options: {
    release: { type: 'string' },
    mode: { type: 'string', default: 'auto' },
    urls: { type: 'string' },
    report: { type: 'string' },
    registry: { type: 'string' },
  },
  check: (parsed) =>
    !MODES.includes(parsed.values.mode as TestMode)
      ? `--mode: expected one of ${MODES.join(', ')}, got "${parsed.values.mode}"`
      : parsed.values.urls !== undefined && !['port-forward', 'in-cluster'].includes(parsed.values.urls)
        ? `--urls: expected port-forward or in-cluster, got "${parsed.values.urls}"`
        : undefined,
  async run({ parsed, validated, deps, client, timeoutMs, lockTimeoutMs, io, json }) {
    const { connectRegistry, lazyRegistry } = await import('../../wiring/connect.ts');
    const { teamReporterFor, testDepsFor } = await import('../../wiring/testing.ts');
    const images = lazyRegistry(() =>
      connectRegistry({ registry: parsed.values.registry ?? 'ecr', env: io.env }),
    );
    const reporter = teamReporterFor(io.env.GITHUB_TOKEN, io.env, deps.log);
    const result = await runIntegrationTests(
      {
        ...validated,
        timeoutMs,
        lockTimeoutMs,
        releaseId: parsed.values.release,
        mode: parsed.values.mode as TestMode,
        urls: parsed.values.urls as 'port-forward' | 'in-cluster' | undefined,
        cwd: io.cwd,
      },
      testDepsFor(deps, client, { images, env: io.env, reporter }),
    );
    if (parsed.values.report && result.junitXml !== undefined) {
      writeFileSync(resolve(io.cwd, parsed.values.report), result.junitXml);
    }
    if (json) {
      printJson(io, {
        passed: result.passed,
        releaseId: result.releaseId,
        mode: result.mode,
        ...result.totals,
        failure: result.failure ?? null,
        recorded: result.counted,
        notes: result.report.notes,
        warnings: result.warnings,
      });
    } else {
      if (result.report.junit) io.stdout(renderJUnitText(result.report.junit));
      for (const note of result.report.notes) io.stdout(`${note}\n`);
      io.stdout(
        `release ${result.releaseId}: tests ${result.passed ? 'passed' : 'FAILED'}${result.counted ? '' : ' (not recorded: standby changed)'}\n`,
      );
    }
    return result.passed ? 0 : 1;
  },
});
