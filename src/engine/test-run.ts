/**
 * run-integration: the group's tests against its standby, together. Under the namespace
 * lock (so no deploy changes the standby meanwhile), as a Kubernetes Job in the namespace
 * or as a command on the runner; the verdict is recorded as the verification of exactly
 * the release and deploy that was tested, and the team hears of it (statuses, PR comments).
 */
import type { Catalog, CatalogService, Group, IntegrationSpec } from '../core/config/types.ts';
import { parseDuration } from '../core/duration.ts';
import { type FailureKind, InputError } from '../core/errors.ts';
import { extractJUnitFromLog } from '../core/junit/log.ts';
import { tryParseJUnit } from '../core/junit/parse.ts';
import type { JUnitReport } from '../core/junit/types.ts';
import type { ImageRegistry, TestCommands, TestJobs } from '../core/ports.ts';
import { digestsOf, type ReleaseRecord, type TestTotals } from '../core/release.ts';
import type { TeamReporter } from '../core/report/ports.ts';
import { renderJobSummary } from '../core/report/render.ts';
import type { DeployedService, PendingTestRun, TestRunReport } from '../core/report/types.ts';
import {
  commandArgv,
  judgeTestJob,
  standbyUrls,
  type TestOutcome,
  type TestTarget,
  testEnvironment,
  testJobName,
  testVerdict,
} from '../core/testing.ts';
import type { EngineDeps } from './deps.ts';
import { nowIso } from './deps.ts';
import { resolveImageReference } from './images.ts';
import { guardJobs, type SessionInput, withGroupLock } from './session.ts';
import { requireStandbyReady, standbyRelease } from './standby.ts';
import { catalogServices } from './switch.ts';
import { recordVerification } from './verify.ts';

export type TestMode = 'auto' | 'job' | 'command';

export interface TestRunInput extends SessionInput {
  releaseId?: string | undefined;
  mode: TestMode;
  /** Overrides the group's integration.urls for a command. */
  urls?: IntegrationSpec['urls'] | undefined;
  /** Where a test command runs. */
  cwd: string;
}

export interface TestDeps extends EngineDeps {
  images: ImageRegistry;
  jobs: TestJobs;
  commands: TestCommands;
  reporter: TeamReporter;
}

export interface TestRunResult {
  passed: boolean;
  releaseId: string;
  mode: 'job' | 'command';
  totals: TestTotals;
  failure?: FailureKind;
  /** The JUnit XML as read, for the report-path output. */
  junitXml?: string;
  report: TestRunReport;
  /** The job summary, with the reporter's warnings. */
  summary: string;
  warnings: string[];
  /** False when standby changed under the run: nothing was recorded as a verification. */
  counted: boolean;
}

/** The grace beyond the Job's own deadline before Greenlight gives up on it. */
const DEADLINE_GRACE_MS = 30_000;
const KEEP_TEST_JOBS = 3;

export async function runIntegrationTests(input: TestRunInput, deps: TestDeps): Promise<TestRunResult> {
  const spec = integrationOf(input.group, input.mode);
  const image = spec.mode === 'job' ? await resolveTestImage(spec.run, input.group, deps.images) : undefined;
  return withGroupLock(input, deps, async (session) => {
    const { view } = session;
    const record = standbyRelease(view, input.releaseId).record;
    await requireStandbyReady(view, record, ' to test', session.deps);
    const target: TestTarget = {
      group: view.group.name,
      namespace: view.group.namespace,
      releaseId: record.id,
      color: view.standbyColor,
      services: catalogServices(view),
    };
    const pending = pendingRun(target, record, input.catalog, deps.run.runUrl);
    const warnings = [...(await deps.reporter.reportPending(pending)).warnings];
    deps.log.info(`testing release ${record.id} on ${target.color} (${spec.mode}: ${spec.run})`);
    const ran =
      image === undefined
        ? await runCommand(spec, target, input, deps, session.signal)
        : await runJob(
            spec,
            image,
            target,
            { ...deps, jobs: guardJobs(deps.jobs, session.lock) },
            session.signal,
          );
    const verdict = testVerdict(ran.outcome, ran.junit);
    const totals = totalsOf('report' in ran.junit ? ran.junit.report : undefined);
    const recorded = await recordVerification(
      view,
      {
        releaseId: record.id,
        deployedAt: record.deployedAt,
        verification: {
          passed: verdict.passed,
          digests: digestsOf(record),
          ...totals,
          at: nowIso(deps.clock),
          mode: spec.mode,
          ...(deps.run.runUrl ? { runUrl: deps.run.runUrl } : {}),
          summary: verdict.notes.join('; ') || (verdict.passed ? 'passed' : 'failed'),
        },
      },
      session.deps,
    );
    const passed = verdict.passed && recorded.counted;
    const notes = recorded.counted
      ? verdict.notes
      : [...verdict.notes, 'standby changed under the run: not recorded'];
    const report: TestRunReport = {
      ...pending,
      standbyColor: target.color,
      passed,
      notes,
      ...('report' in ran.junit ? { junit: ran.junit.report } : {}),
    };
    warnings.push(...(await deps.reporter.reportResult(report)).warnings);
    for (const warning of warnings) deps.log.warn(warning);
    return {
      passed,
      releaseId: record.id,
      mode: spec.mode,
      totals,
      ...(verdict.failure ? { failure: verdict.failure } : {}),
      ...(ran.xml === undefined ? {} : { junitXml: ran.xml }),
      report,
      summary: renderJobSummary(report, warnings),
      warnings,
      counted: recorded.counted,
    };
  });
}

function integrationOf(group: Group, mode: TestMode): IntegrationSpec {
  const spec = group.integration;
  if (!spec) {
    throw new InputError(
      `group ${group.name} (${group.file}) has no integration block: there are no tests to run`,
      {
        hint: 'add integration.image (a test image run as a Job) or integration.command to the group file',
      },
    );
  }
  if (mode !== 'auto' && mode !== spec.mode) {
    throw new InputError(
      `mode ${mode} was asked for, but group ${group.name} tests with ${spec.mode === 'job' ? 'an image (integration.image)' : 'a command (integration.command)'}`,
    );
  }
  return spec;
}

/** `repository:tag` or `repository@digest` of the test image, resolved like a service's image. */
function resolveTestImage(reference: string, group: Group, images: ImageRegistry): Promise<string> {
  return resolveImageReference(reference, `${group.file} integration.image`, images);
}

function pendingRun(
  target: TestTarget,
  record: ReleaseRecord,
  catalog: Catalog,
  runUrl: string | undefined,
): PendingTestRun {
  const urls = standbyUrls(target);
  return {
    group: target.group,
    namespace: target.namespace,
    releaseId: record.id,
    services: record.services.map((service): DeployedService => {
      const catalogService: CatalogService | undefined = catalog.services.get(service.service);
      return {
        service: service.service,
        digest: service.digest,
        ...(service.branch ? { branch: service.branch } : {}),
        ...(service.commit ? { commit: service.commit } : {}),
        ...(urls[service.service] ? { standbyUrl: urls[service.service] } : {}),
        ...(catalogService?.githubRepository ? { githubRepository: catalogService.githubRepository } : {}),
      };
    }),
    ...(runUrl ? { runUrl } : {}),
  };
}

type JUnitSource = { report: JUnitReport } | { error: string } | { missing: string };

interface Ran {
  outcome: TestOutcome;
  junit: JUnitSource;
  xml?: string;
}

function readReport(xml: string, source: string): { junit: JUnitSource; xml?: string } {
  const parsed = tryParseJUnit(xml, { source });
  return parsed.ok ? { junit: { report: parsed.report }, xml } : { junit: { error: parsed.error.message } };
}

function fromLog(log: string, source: string, missing: string): { junit: JUnitSource; xml?: string } {
  try {
    const found = extractJUnitFromLog(log, source);
    return found.found ? readReport(found.xml, source) : { junit: { missing } };
  } catch (error) {
    return { junit: { error: error instanceof Error ? error.message : String(error) } };
  }
}

async function runJob(
  spec: IntegrationSpec,
  image: string,
  target: TestTarget,
  deps: TestDeps,
  signal: AbortSignal,
): Promise<Ran> {
  const timeoutMs = parseDuration(spec.timeout, `${target.group} integration.timeout`);
  const prefix = `greenlight-test-${target.releaseId}-`;
  const runs = (await deps.jobs.listJobs())
    .filter((job) => job.startsWith(prefix))
    .map((job) => Number(job.slice(prefix.length)))
    .filter(Number.isInteger);
  const name = testJobName(target.releaseId, Math.max(0, ...runs) + 1);
  await pruneTestJobs(deps, timeoutMs);
  await deps.jobs.createJob({
    name,
    group: target.group,
    releaseId: target.releaseId,
    image,
    env: testEnvironment(target, standbyUrls(target), spec),
    activeDeadlineSeconds: Math.max(1, Math.ceil(timeoutMs / 1000)),
  });
  const outcome = await waitForJob(name, timeoutMs + DEADLINE_GRACE_MS, deps, signal);
  if (outcome.failure === 'test-timeout') {
    await deps.jobs.deleteJob(name, 60_000);
    deps.log.info(`deleted the test Job ${name} and its pods after the timeout`);
    return { outcome, junit: { missing: 'the tests were stopped at the timeout, with no report' } };
  }
  if (!outcome.pod) return { outcome, junit: { missing: 'the test pod never started' } };
  const log = await deps.jobs.readLog(outcome.pod);
  if ('unavailable' in log) {
    return { outcome, junit: { missing: `the cluster serves no pod logs (${firstLine(log.unavailable)})` } };
  }
  return {
    outcome,
    ...fromLog(
      log.log,
      `the log of ${outcome.pod}`,
      'the test log holds no JUnit report between the markers',
    ),
  };
}

async function waitForJob(
  name: string,
  timeoutMs: number,
  deps: TestDeps,
  outer: AbortSignal,
): Promise<TestOutcome & { pod?: string }> {
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), timeoutMs);
  const signal = AbortSignal.any([outer, timeout.signal]);
  let pod: string | undefined;
  try {
    for await (const snapshot of deps.jobs.watchJob(name, signal)) {
      pod = snapshot.pods[0]?.name ?? pod;
      const outcome = judgeTestJob(snapshot.job, snapshot.pods);
      if (outcome.done) return { ...outcome, ...(pod ? { pod } : {}) };
    }
  } finally {
    clearTimeout(timer);
  }
  if (outer.aborted) throw outer.reason;
  return {
    done: true,
    exitedCleanly: false,
    failure: 'test-timeout',
    notes: [`the tests did not finish within ${Math.round(timeoutMs / 1000)}s`],
    ...(pod ? { pod } : {}),
  };
}

/** Old test Jobs stay a while for their logs; beyond the newest few they go. */
async function pruneTestJobs(deps: TestDeps, timeoutMs: number): Promise<void> {
  const jobs = await deps.jobs.listJobs();
  for (const name of jobs.slice(0, Math.max(0, jobs.length - KEEP_TEST_JOBS + 1))) {
    await deps.jobs.deleteJob(name, Math.min(timeoutMs, 60_000));
  }
}

async function runCommand(
  spec: IntegrationSpec,
  target: TestTarget,
  input: TestRunInput,
  deps: TestDeps,
  signal: AbortSignal,
): Promise<Ran> {
  const argv = commandArgv(spec, `${input.group.file} integration.command`);
  const timeoutMs = parseDuration(spec.timeout, `${target.group} integration.timeout`);
  const urls = input.urls ?? spec.urls;
  const forwards = urls === 'port-forward' ? await openForwards(target, deps) : [];
  const dir = await deps.commands.tempDir();
  try {
    const junitFile = `${dir.path}/junit.xml`;
    const localUrls =
      forwards.length > 0 ? Object.fromEntries(forwards.map((f) => [f.service, f.url])) : standbyUrls(target);
    const env = Object.fromEntries([
      ...testEnvironment(target, localUrls, spec),
      ['GREENLIGHT_JUNIT_FILE', junitFile],
    ]);
    const result = await deps.commands.run({ argv, env, cwd: input.cwd, timeoutMs, signal });
    const outcome = commandOutcome(argv, result, timeoutMs);
    const written = await deps.commands.readReport(junitFile);
    if (written !== undefined) return { outcome, ...readReport(written, 'GREENLIGHT_JUNIT_FILE') };
    return {
      outcome,
      ...fromLog(
        result.stdout,
        'the stdout of the test command',
        'the command wrote no JUnit report (GREENLIGHT_JUNIT_FILE) and printed none',
      ),
    };
  } finally {
    await Promise.all([dir.remove(), ...forwards.map((forward) => forward.close())]);
  }
}

async function openForwards(target: TestTarget, deps: TestDeps) {
  const forwards: { service: string; url: string; close(): Promise<void> }[] = [];
  try {
    for (const service of target.services) {
      const forward = await deps.commands.forward({
        service: service.name,
        color: target.color,
        port: service.port,
      });
      forwards.push({ service: service.name, ...forward });
    }
    return forwards;
  } catch (error) {
    await Promise.all(forwards.map((forward) => forward.close()));
    throw error;
  }
}

function commandOutcome(
  argv: readonly string[],
  result: { exitCode: number; stderr: string; timedOut: boolean },
  timeoutMs: number,
): TestOutcome {
  if (result.timedOut) {
    return {
      done: true,
      exitedCleanly: false,
      failure: 'test-timeout',
      notes: [`the test command was stopped after ${Math.round(timeoutMs / 1000)}s`],
    };
  }
  if (result.exitCode === 127 && /ENOENT/.test(result.stderr)) {
    return {
      done: true,
      exitedCleanly: false,
      exitCode: 127,
      failure: 'test-error',
      notes: [`the test command ${argv[0]} could not start: not found`],
    };
  }
  return {
    done: true,
    exitedCleanly: result.exitCode === 0,
    exitCode: result.exitCode,
    notes: result.exitCode === 0 ? [] : [`the test command exited with code ${result.exitCode}`],
  };
}

/** The report's counts; with no report (judged by the exit code) there are none to give. */
function totalsOf(report: JUnitReport | undefined): TestTotals {
  if (!report) return { tests: 0, failures: 0, errors: 0, skipped: 0 };
  const { tests, failures, errors, skipped } = report.totals;
  return { tests, failures, errors, skipped };
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? text;
}
