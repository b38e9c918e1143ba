/**
 * A group's integration test run, decided on plain values: the environment the tests get,
 * the test Job, how a command is split into words (no shell unless asked), and the verdict
 * from the Job's outcome, the exit code and the JUnit report.
 */
import { parse as parseShellWords } from 'shell-quote';
import type { Condition, PodObservation } from './cluster.ts';
import type { CatalogService, IntegrationSpec } from './config/types.ts';
import type { FailureKind } from './errors.ts';
import { InputError } from './errors.ts';
import { type JUnitReport, junitPassed } from './junit/types.ts';
import { type Color, serviceUrlEnvName } from './naming.ts';
import { colorServiceName, inClusterUrl } from './workload.ts';

export interface TestTarget {
  group: string;
  namespace: string;
  releaseId: string;
  color: Color;
  services: readonly CatalogService[];
}

/** Each service's in-cluster URL on the tested color: its color Service, which cannot move under the run. */
export function standbyUrls(target: TestTarget): Record<string, string> {
  return Object.fromEntries(
    target.services.map((service) => [
      service.name,
      inClusterUrl(colorServiceName(service.name, target.color), target.namespace, service.port),
    ]),
  );
}

/**
 * What the tests see: GREENLIGHT_URL_<SERVICE> for every service, the release and group,
 * then the group's own integration.env (which may not override Greenlight's names).
 */
export function testEnvironment(
  target: TestTarget,
  urls: Readonly<Record<string, string>>,
  spec: Pick<IntegrationSpec, 'env'>,
): [string, string][] {
  const greenlight: [string, string][] = [
    ...target.services.map((service): [string, string] => [
      serviceUrlEnvName(service.name),
      urls[service.name] ?? '',
    ]),
    ['GREENLIGHT_RELEASE', target.releaseId],
    ['GREENLIGHT_GROUP', target.group],
    ['GREENLIGHT_COLOR', target.color],
  ];
  const reserved = new Set(greenlight.map(([name]) => name));
  return [...greenlight, ...Object.entries(spec.env).filter(([name]) => !reserved.has(name))];
}

export interface TestJobSpec {
  name: string;
  group: string;
  releaseId: string;
  image: string;
  env: [string, string][];
  activeDeadlineSeconds: number;
}

/** `greenlight-test-<release>-<n>`: one name per run, at most 63 characters. */
export function testJobName(releaseId: string, run: number): string {
  return `greenlight-test-${releaseId}-${run}`.slice(0, 63);
}

/**
 * The argv of a test command. Without a shell the command is split into words as a shell
 * would split it, but nothing is expanded or run by a shell: `$VAR`, pipes, `;` and
 * redirections are refused, since they would not do what they look like. With a shell,
 * the command goes to `sh -c` (or bash) as written in the group file, never with values
 * from branch names or pull requests in it.
 */
export function commandArgv(spec: Pick<IntegrationSpec, 'run' | 'shell'>, where: string): string[] {
  if (spec.shell) return [spec.shell, '-c', spec.run];
  const words = parseShellWords(spec.run, (name) => `$${name}`);
  const shellOnly = words.filter((word) => typeof word !== 'string' || /^\$[A-Za-z_]/.test(word));
  if (shellOnly.length > 0 || words.length === 0) {
    throw new InputError(
      `${where}: expected a command that runs without a shell, got "${spec.run}" (it uses shell syntax: ${describeWord(shellOnly[0])})`,
      { hint: 'set integration.shell: sh in the group file to run it through a shell' },
    );
  }
  return words as string[];
}

function describeWord(word: unknown): string {
  if (word === undefined) return 'no words at all';
  if (typeof word === 'string') return `the variable ${word}`;
  if (typeof word === 'object' && word !== null && 'op' in word)
    return `the operator ${String((word as { op: unknown }).op)}`;
  if (typeof word === 'object' && word !== null && 'comment' in word) return 'a comment';
  return 'a glob';
}

export interface JobObservation {
  name: string;
  active: number;
  succeeded: number;
  failed: number;
  conditions: Condition[];
}

export interface TestOutcome {
  done: boolean;
  /** The run's own verdict before JUnit: the tests' exit code was 0. */
  exitedCleanly?: boolean;
  exitCode?: number;
  failure?: FailureKind;
  notes: string[];
}

/** The Job's outcome, and why it failed when it did, from the Job and its pod. */
export function judgeTestJob(job: JobObservation | undefined, pods: readonly PodObservation[]): TestOutcome {
  const [pod] = pods;
  const container = pod?.containers[0];
  const waiting = container?.waiting?.reason;
  if (
    waiting &&
    ['ImagePullBackOff', 'ErrImagePull', 'InvalidImageName', 'CreateContainerConfigError'].includes(waiting)
  ) {
    return {
      done: true,
      exitedCleanly: false,
      failure: 'test-error',
      notes: [
        `the test pod cannot start: ${waiting}${container?.waiting?.message ? ` (${container.waiting.message})` : ''}`,
      ],
    };
  }
  if (!job) return { done: false, notes: [] };
  // The Job controller marks FailureTarget first (1.31+), then Failed once its pods are gone.
  const deadline = job.conditions.find(
    (condition) =>
      (condition.type === 'Failed' || condition.type === 'FailureTarget') &&
      condition.status === 'True' &&
      condition.reason === 'DeadlineExceeded',
  );
  if (deadline)
    return {
      done: true,
      exitedCleanly: false,
      failure: 'test-timeout',
      notes: ['the test Job ran past its deadline'],
    };
  const terminated = container?.terminated;
  if (job.succeeded > 0)
    return { done: true, exitedCleanly: true, exitCode: terminated?.exitCode ?? 0, notes: [] };
  if (job.failed > 0 || job.conditions.some((c) => c.type === 'Failed' && c.status === 'True')) {
    const code = terminated?.exitCode;
    const reason = terminated?.reason;
    if (reason === 'OOMKilled') {
      return {
        done: true,
        exitedCleanly: false,
        exitCode: code ?? 137,
        failure: 'test-error',
        notes: ['the test pod was OOMKilled: raise its memory or find the leak'],
      };
    }
    return {
      done: true,
      exitedCleanly: false,
      ...(code === undefined ? {} : { exitCode: code }),
      failure: 'test-failed',
      notes: [
        `the tests exited with code ${code ?? 'unknown'}${reason && reason !== 'Error' ? ` (${reason})` : ''}`,
      ],
    };
  }
  return { done: false, notes: [] };
}

export interface TestVerdict {
  passed: boolean;
  failure?: FailureKind;
  notes: string[];
}

/**
 * Pass only when the tests exited cleanly and, when a report could be read, it holds no
 * failure. An unreadable report counts as failed; no report at all is judged by the exit code.
 */
export function testVerdict(
  outcome: Pick<TestOutcome, 'exitedCleanly' | 'exitCode' | 'failure' | 'notes'>,
  junit: { report: JUnitReport } | { error: string } | { missing: string },
): TestVerdict {
  const notes = [...outcome.notes];
  if ('error' in junit) {
    notes.push(`the JUnit report could not be read: ${junit.error}`);
    return { passed: false, failure: outcome.failure ?? 'junit-invalid', notes };
  }
  if ('missing' in junit) {
    notes.push(
      `${junit.missing}; judged by the exit code${outcome.exitCode === undefined ? '' : ` (${outcome.exitCode})`}`,
    );
    return outcome.exitedCleanly
      ? { passed: true, notes }
      : { passed: false, failure: outcome.failure ?? 'test-failed', notes };
  }
  const reportPassed = junitPassed(junit.report);
  if (outcome.exitedCleanly && !reportPassed)
    notes.push('the tests exited with code 0, but the report holds failures');
  if (!outcome.exitedCleanly && reportPassed && junit.report.totals.tests > 0 && !outcome.failure) {
    notes.push('the report holds no failure, but the tests did not exit with code 0');
  }
  const passed = outcome.exitedCleanly === true && reportPassed;
  return passed ? { passed, notes } : { passed, failure: outcome.failure ?? 'test-failed', notes };
}
