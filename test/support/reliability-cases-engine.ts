/**
 * The reliability cases of Greenlight itself (issue 16, phase 2): deploy, test and
 * promote under API server and registry faults, killed after every write, with a lost
 * lock, racing each other, fed hostile input, and scanned for secrets. Joined to the
 * harness's own cases in reliability-cases.ts; docs/reliability.md lists them all.
 */
import type { ReliabilityCase } from './reliability-doc.ts';

const API_TEST = 'test/integration/reliability-api-faults.test.ts';
const DEPLOY = 'deploy: API server faults';
const TEST = 'test: API server faults';
const PROMOTE = 'promote: API server faults';
const CLI_DEPLOY = 'greenlight deploy (its own process, through the API server proxy)';
const CLI_TEST = 'greenlight test, job mode (its own process, through the API server proxy)';
const CLI_PROMOTE = 'greenlight promote (its own process, through the API server proxy)';

/** What every recovered deploy is checked for. */
const DEPLOYED =
  'exit 0; the fault fired; both standby Deployments ready, one record (ready, 1 deploy); the group sound (one color live or none, lock free, no intent left)';
const VERIFIED = 'exit 0; the fault fired; the release verified by a passing Job (mode job); the group sound';
const PROMOTED =
  'exit 0; the fault fired; every live Service on green, which runs the verified release, recorded promoted; the old release retired; the group sound';

const deploy = (
  id: string,
  fault: string,
  checks: string,
  extra: Partial<ReliabilityCase> = {},
): ReliabilityCase => ({
  id: `deploy.api.${id}`,
  area: DEPLOY,
  fault,
  client: CLI_DEPLOY,
  trials: 1,
  outcome: 'recovered',
  checks: checks ? `${DEPLOYED}; ${checks}` : DEPLOYED,
  test: API_TEST,
  ...extra,
});

const test = (id: string, fault: string, checks: string): ReliabilityCase => ({
  id: `test.api.${id}`,
  area: TEST,
  fault,
  client: CLI_TEST,
  trials: 1,
  outcome: 'recovered',
  checks: checks ? `${VERIFIED}; ${checks}` : VERIFIED,
  test: API_TEST,
});

const promote = (
  id: string,
  fault: string,
  checks: string,
  extra: Partial<ReliabilityCase> = {},
): ReliabilityCase => ({
  id: `promote.api.${id}`,
  area: PROMOTE,
  fault,
  client: CLI_PROMOTE,
  trials: 1,
  outcome: 'recovered',
  checks: checks ? `${PROMOTED}; ${checks}` : PROMOTED,
  test: API_TEST,
  ...extra,
});

export const API_FAULT_CASES: readonly ReliabilityCase[] = [
  deploy(
    '503-apply',
    'first server-side apply of a Deployment answered 503',
    'the apply was sent again and applied',
  ),
  deploy('500-list', 'the first two lists of Deployments answered 500', ''),
  deploy(
    '429-record-create',
    'the release record create answered 429 with Retry-After: 1',
    'the create was sent again no sooner than 1 s later',
  ),
  deploy(
    '409-record-update',
    'the record update (to ready) answered 409 Conflict',
    'read again, the change applied to what is there, then 200',
  ),
  deploy(
    '409-lease-create',
    'the Lease create answered 409 AlreadyExists',
    'read the Lease again and took it',
  ),
  deploy(
    '409-lease-renewal',
    'the first Lease renewal answered 409, while a list delayed 7 s keeps the deploy running past it',
    'the Lease still named this run, so it kept the lock (no loss) and a later PUT of the Lease went through',
  ),
  deploy(
    'reset-before-apply',
    'connection reset before the first Service apply reached the server',
    'sent again, applied',
  ),
  deploy(
    'reset-after-apply',
    'connection reset after the server applied a Deployment (the answer lost)',
    'the apply was sent again (200, no change); the Deployment at generation 1',
  ),
  deploy(
    'reset-after-namespace-create',
    'connection reset after the server created the namespace (found failing the deploy; fixed)',
    'the create was sent again and its 409 taken as done',
  ),
  deploy(
    'reset-after-lease-create',
    'connection reset after the server created the Lease (found failing the deploy and leaving the Lease held by a run that had exited; fixed)',
    'the Lease read back, recognised as its own, held',
  ),
  deploy(
    'reset-after-record-create',
    'connection reset after the server created the release record (found failing the deploy; fixed)',
    'the record read back, recognised as its own (1 deploy, not 2)',
  ),
  deploy(
    '503-lease-create',
    'the Lease create answered 503 (found failing the deploy; fixed)',
    'read back (absent), sent again, created',
  ),
  deploy('slow', 'the first 6 reads and 4 writes each delayed 1.5 s', 'all 10 delays fired'),
  deploy(
    'hang-apply',
    'the first apply of a Deployment never answered (found: the timed-out request was not cancelled and could land late; fixed)',
    'after 30 s the request was cancelled (it never reached the server) and sent again',
  ),
  deploy(
    'watch-cut-abort',
    'the pods watch cut mid-stream (no end of the chunked body) after 1 event (found resuming from where the cut watch had started, not from its last event; fixed)',
    'the next watch from a later resourceVersion, with no list between',
  ),
  deploy(
    'watch-cut-end',
    'the Deployments watch ended cleanly after 1 event',
    'the next watch from a later resourceVersion, with no list between',
  ),
  deploy(
    'watch-gone',
    'the pods watch cut after 1 event, then the resumed watch answered HTTP 410 Gone (found taken for a network error and retried with the same version; fixed)',
    'a list right after the 410, and no watch from the version that was gone',
  ),
  deploy(
    'watch-hang-timeout',
    'every watch held, never answered; --timeout 5s (found: the process then lingered ~25 s on the unanswered watches; fixed)',
    '',
    {
      outcome: 'failed-clearly',
      message: 'the standby (blue) was not ready within 5s',
      checks:
        'exit 1 within 25 s, kind rollout-timeout; the standby scaled to zero, the record failed with that kind; nothing live; the group sound',
    },
  ),
  test(
    '503-job-create',
    'the test Job create answered 503 (found failing the run; fixed)',
    'read back (absent), sent again, created',
  ),
  test(
    'reset-after-job-create',
    'connection reset after the server created the test Job',
    'read back and recognised as its own: one create reached the server',
  ),
  test(
    'watch-cut',
    'the Jobs watch cut mid-stream after 1 event',
    'the watch resumed from a later resourceVersion, with no list again',
  ),
  test('409-verification', 'the record update with the verification answered 409', ''),
  test('429-lease', 'the Lease take answered 429 with Retry-After: 1', 'sent again no sooner than 1 s later'),
  promote('503-live-service', 'the first switch of a live Service answered 503', ''),
  promote('503-live-service-always', 'every switch of the live Service hello-b answered 503', '', {
    outcome: 'failed-clearly',
    message: 'switching team to green failed, every live Service is back on blue',
    checks:
      'exit 1; 5 attempts to switch and 5 to revert; every live Service on blue (never split), the intent cleared, the failure recorded, the release still verified; promoted afterwards without the fault',
  }),
  promote('reset-after-live-service', 'connection reset after the server switched a live Service', ''),
  promote(
    '429-intent',
    'the switch intent (record update) answered 429 with Retry-After: 2',
    'sent again no sooner than 2 s later',
  ),
  promote('409-intent', 'the switch intent (record update) answered 409', ''),
];

const REGISTRY_TEST = 'test/integration/reliability-registry-faults.test.ts';
const RESOLVE = 'resolution: registry and ECR faults';
const CLI_REGISTRY = 'greenlight deploy --registry PROXY (its own process)';
const CLI_ECR = 'greenlight deploy, ECR through AWS_ENDPOINT_URL_ECR=PROXY (its own process)';
const RESOLVED = 'exit 0; the fault fired; the release deployed and recorded ready; the group sound';
const REFUSED =
  'exit 1 (an error, not a crash); the fault fired; the error names the service; no write reached the API server, no Deployment exists';

const resolve = (
  id: string,
  client: string,
  fault: string,
  outcome: 'recovered' | 'failed-clearly',
  extra: Partial<ReliabilityCase> = {},
): ReliabilityCase => ({
  id: `resolve.${id}`,
  area: RESOLVE,
  fault,
  client,
  trials: 1,
  outcome,
  checks: outcome === 'recovered' ? RESOLVED : REFUSED,
  test: REGISTRY_TEST,
  ...extra,
});

export const REGISTRY_FAULT_CASES: readonly ReliabilityCase[] = [
  resolve(
    'registry.503-manifest',
    CLI_REGISTRY,
    'the first HEAD of a manifest answered 503 (found failing the deploy: registry reads were not retried; fixed)',
    'recovered',
  ),
  resolve(
    'registry.429-manifest',
    CLI_REGISTRY,
    'the first HEAD of a manifest answered 429 with Retry-After: 1',
    'recovered',
    {
      checks: `${RESOLVED}; the HEAD was sent again no sooner than 1 s later`,
    },
  ),
  resolve(
    'registry.reset-manifest',
    CLI_REGISTRY,
    'the first HEAD of a manifest: connection reset',
    'recovered',
  ),
  resolve('registry.500-always', CLI_REGISTRY, 'every HEAD of one manifest answered 500', 'failed-clearly', {
    message: 'HTTP 500',
    checks: `${REFUSED}; 4 attempts`,
  }),
  resolve(
    'registry.garbage-manifest',
    CLI_REGISTRY,
    'every HEAD of one manifest answered 200 with 256 random bytes and no digest',
    'failed-clearly',
    { message: 'without a Docker-Content-Digest header' },
  ),
  resolve(
    'registry.garbage-tags',
    CLI_REGISTRY,
    'a missing image, and its tag list answered 200 with random bytes as JSON (found crashing the CLI, exit 70; fixed)',
    'failed-clearly',
    { message: 'with something that is not JSON' },
  ),
  resolve('ecr.500', CLI_ECR, 'the first DescribeImages answered 500', 'recovered'),
  resolve('ecr.throttle', CLI_ECR, 'the first DescribeImages answered 429 ThrottlingException', 'recovered'),
  resolve('ecr.reset', CLI_ECR, 'the first DescribeImages: connection reset', 'recovered'),
  resolve('ecr.500-always', CLI_ECR, 'every DescribeImages answered 500', 'failed-clearly', {
    message: 'ServerException: injected by the fault proxy: HTTP 500',
    checks: `${REFUSED}; the SDK retried (at least 4 calls)`,
  }),
  resolve(
    'ecr.garbage',
    CLI_ECR,
    'every DescribeImages answered 200 with a body that is not JSON',
    'failed-clearly',
    {
      message: 'Deserialization error',
    },
  ),
];

const KILL_TEST = 'test/integration/reliability-kill-points.test.ts';
const KILL = 'kill points: SIGKILL right after each API write, then the same command again';
const KILLED =
  "killed right after write n (n = 1..trials, each on a fresh group; the write count checked against the trials); the second run exits 0; then, read back: every live Service on one color, that color ready and on one release recorded promoted and not retired, every other release that went live retired, no switch intent; the lock: taken over by the second run only after the killed run's renewTime + 15 s, naming it, and free at the end; or, when the second run found the work done and needed no lock, the killed run's Lease untouched since (it frees itself 15 s after that renewTime); nothing to take after a kill that followed the release";

const kill = (
  id: string,
  fault: string,
  client: string,
  trials: number,
  checks: string,
): ReliabilityCase => ({
  id: `kill.${id}`,
  area: KILL,
  fault,
  client,
  trials,
  outcome: 'recovered',
  checks: `${KILLED}; ${checks}`,
  test: KILL_TEST,
});

export const KILL_CASES: readonly ReliabilityCase[] = [
  {
    id: 'kill.promote-standby',
    area: KILL,
    fault:
      'promote without --release (what stands on standby), killed mid-switch: after the first live Service, after the first preview, after the old release was retired (found: the second run finished the switch, then promoted the standby again, which was now the old release, still warm: the group went back and the tested release was scaled to zero; fixed)',
    client: 'greenlight promote',
    trials: 3,
    outcome: 'recovered',
    message: 'the interrupted promote was completed',
    checks: `${KILLED}; the tested release live on green, recorded promoted; the old one retired; blue scaled to zero`,
    test: KILL_TEST,
  },
  kill(
    'deploy',
    'deploy of new images with a release live: the Lease, the record, 2 Deployments, the record ready, the release (its 6 Services are unchanged, so not written again: their spec hash matches) (found: killed after its last Deployment, the second run said the standby stood ready and left the record deploying; fixed)',
    'greenlight deploy',
    6,
    'the new release ready on green, recorded ready; live untouched on blue',
  ),
  kill(
    'test',
    'test of the standby, job mode: the Lease, the Job, the verification, the release',
    'greenlight test (Job of <x>/exit-0 on kwok)',
    4,
    'the release recorded verified by a passing Job; live untouched',
  ),
  kill(
    'promote',
    'promote --release ID --scale-down-delay 1s: the Lease, the intent, 2 live Services, 2 previews, the old release retired, the new one promoted, 2 scale-downs, the record, the release (found: killed between the two record writes, two releases stayed recorded live; fixed)',
    'greenlight promote',
    12,
    'every live Service on green, which runs the tested release, recorded promoted; the old release retired; blue scaled to zero',
  ),
];

const LOCK_TEST = 'test/integration/reliability-locking.test.ts';
const LOST = 'the namespace lock: lost, and contended';
const SOUND = 'the group sound afterwards (read back with kubectl)';

export const LOCK_CASES: readonly ReliabilityCase[] = [
  {
    id: 'lock.lost-renewals-fail',
    area: LOST,
    fault:
      "a deploy's Lease renewals answered 503 until its Lease expired (its first list of pods delayed 12 s, so it is still running); a second deploy of newer images waits for the lock",
    client: 'two greenlight deploy processes, each through a proxy of its own',
    trials: 1,
    outcome: 'recovered',
    message: 'lost the namespace lock: no renewal succeeded for 10s',
    checks: `the first exits 1, kind lock-lost, its last write answered within 10 s of taking the Lease; the second takes the Lease over once expired (naming the first) and deploys; every write of the first was answered before the second's first write arrived; the second's release ready on green; ${SOUND}`,
    test: LOCK_TEST,
  },
  {
    id: 'lock.lost-write-in-flight',
    area: LOST,
    fault:
      "as above, but the renewals are never answered and the first deploy's last Deployment apply hangs across the loss (found: the loss went unnoticed while the renewal hung, and the timed-out apply was sent again 30 s later, over the new holder's Deployment; fixed)",
    client: 'two greenlight deploy processes, each through a proxy of its own',
    trials: 1,
    outcome: 'recovered',
    message: 'lost the namespace lock: no renewal succeeded for 10s',
    checks: `as above; the hung apply never reached the server, nor any retry of it; the first process had ended before the second wrote; both green Deployments run the second's release; ${SOUND}`,
    test: LOCK_TEST,
  },
  {
    id: 'lock.five-deploys',
    area: LOST,
    fault:
      'five deploys of one group at once, each of another branch of hello-a; three wait up to 120 s for the lock, two up to 2 s',
    client: 'five greenlight deploy processes, each through a proxy of its own',
    trials: 1,
    outcome: 'recovered',
    message: 'waiting for the lock of',
    checks: `strictly one at a time (each run's writes inside its hold of the Lease, from its take to the answer to its release; no two holds overlap); every wait names another run's holder; a run that gave up failed with kind lock-held naming the holder; at least 3 deployed; the last to hold the lock is ready on standby, each earlier one rejected, superseded by the next; ${SOUND}`,
    test: LOCK_TEST,
  },
  {
    id: 'lock.promote-races-deploy',
    area: LOST,
    fault:
      "promote --release R (R verified on standby) racing a deploy of newer images (each run's first list of pods slowed 10 s, so it holds the lock a while): the deploy first, the promote first, both at once",
    client: 'greenlight promote and greenlight deploy, each through a proxy of its own',
    trials: 3,
    outcome: 'recovered',
    message: 'waiting for the lock of',
    checks: `strictly one at a time, waits naming the other's holder; the deploy exits 0; promote first: R live on green, the deploy's release ready on blue; deploy first: the promote refused (release-not-on-standby, naming the release standby runs) and wrote nothing, live untouched, R rejected as superseded; ${SOUND}`,
    test: LOCK_TEST,
  },
];

const HOSTILE_TEST = 'test/integration/reliability-hostile-input.test.ts';
const HOSTILE_AREA = 'hostile input';
const HOSTILE_VALUES =
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the shell's ${IFS}, named as it is sent
  '12 values: $(touch M), `touch M`, "main; touch M", a newline then touch M, quotes, unicode and an emoji, 300 characters, --kubeconfig=/etc/passwd, -rf, ../../etc/passwd, feature/../../x, $(touch${IFS}M)';
const NOTHING =
  'one error (exit 1, or 2 for a usage error), no stack trace; the marker file M never created; no write reached the API server; the deployed group unchanged (every object at its resourceVersion); ended within 60 s, peak memory under 400 MB';

const hostile = (
  id: string,
  fault: string,
  client: string,
  trials: number,
  extra: Partial<ReliabilityCase> = {},
): ReliabilityCase => ({
  id: `hostile.${id}`,
  area: HOSTILE_AREA,
  fault,
  client,
  trials,
  outcome: 'refused',
  checks: NOTHING,
  test: HOSTILE_TEST,
  ...extra,
});

export const HOSTILE_CASES: readonly ReliabilityCase[] = [
  hostile(
    'cli.branch-override',
    `a branch override --set hello-a=VALUE, for ${HOSTILE_VALUES}`,
    'greenlight deploy',
    12,
  ),
  hostile(
    'cli.service-override',
    `a service name --set VALUE=master, for the same 12 values`,
    'greenlight deploy',
    12,
  ),
  hostile('cli.group-name', 'the GROUP argument, for the same 12 values', 'greenlight deploy', 12),
  hostile(
    'action.group',
    'the group input, for the same 12 values',
    'deploy-group bundle (INPUT_GROUP)',
    12,
    {
      checks:
        'exit 1; exactly one ::error:: line, naming the input; the failure output set; the marker never created; the deployed group unchanged',
    },
  ),
  hostile(
    'action.overrides',
    'the overrides input hello-a=VALUE, for the same 12 values',
    'deploy-group bundle (INPUT_OVERRIDES)',
    12,
    {
      checks:
        'exit 1; exactly one ::error:: line, naming the service; the failure output set; the marker never created; the deployed group unchanged',
    },
  ),
  hostile(
    'yaml',
    'group and catalog files: a YAML alias bomb (9^9 strings) in each, 100 000 nested sequences, 20 000 nested mappings, a 50 MB file, wrong types (services a string; repository a list, port a word, replicas negative; namespace a list, services a number)',
    'greenlight deploy --groups-dir DIR',
    8,
    { checks: `${NOTHING}; the error names the file` },
  ),
  hostile(
    'junit.cli',
    'JUnit reports: entity expansion (billion laughs), an external entity (file:///etc/passwd), 60 MB',
    'greenlight junit FILE',
    3,
    { checks: `${NOTHING}; nothing of /etc/passwd in the output` },
  ),
  hostile(
    'junit.test-command',
    'the same three reports, written by the test command where Greenlight reads them (GREENLIGHT_JUNIT_FILE)',
    'greenlight test (command mode)',
    3,
    {
      outcome: 'failed-clearly',
      checks:
        'exit 1 within 60 s, peak memory under 400 MB; not passed, recorded: the release recorded failed its tests; nothing of /etc/passwd in the output',
    },
  ),
  hostile(
    'kubeconfig-closed-port',
    'a kubeconfig whose server is 127.0.0.1 at a port nothing listens on',
    'greenlight deploy',
    1,
  ),
  hostile(
    'registry-garbage',
    'a registry at 127.0.0.1 that answers every connection with 512 random bytes',
    'greenlight deploy --registry 127.0.0.1:PORT',
    1,
  ),
];

const SECRETS_TEST = 'test/integration/reliability-secrets.test.ts';
const SECRETS = 'secrets: never in argv, logs, summaries, outputs, comments or statuses';
const SCANNED =
  'no finding, raw, base64, base64url or URL-encoded, in the argv of any process of its tree (sampled from /proc every 5 ms), stdout (less its ::add-mask:: lines), stderr, $GITHUB_OUTPUT or $GITHUB_STEP_SUMMARY';

export const SECRET_CASES: readonly ReliabilityCase[] = [
  {
    id: 'secrets.ecr-password',
    area: SECRETS,
    fault:
      'the ECR password (GetAuthorizationToken of a moto account), its token, the role keys: a real build and push to ECR',
    client: 'build-push-ecr bundle: real buildah login, build, push through the ECR registry bridge',
    trials: 1,
    outcome: 'kept-secret',
    checks: `exit 0; the push recorded in ECR and branch-main naming the digest output; buildah login, build and push sampled; ::add-mask:: of the password before the buildah login; ${SCANNED}`,
    test: SECRETS_TEST,
  },
  {
    id: 'secrets.ecr-password-control',
    area: SECRETS,
    fault: 'control: a leaky buildah on PATH that moves the password from stdin to `login --password VALUE`',
    client: 'build-push-ecr bundle, the same run',
    trials: 1,
    outcome: 'observed',
    message: 'ECR password (raw)',
    checks:
      'the push still succeeds; the finding names the argv of the sampled buildah login, never the value',
    test: SECRETS_TEST,
  },
  {
    id: 'secrets.registry-password.cli',
    area: SECRETS,
    fault:
      'REGISTRY_USERNAME / REGISTRY_PASSWORD for a registry with htpasswd auth holding the only copy of the images',
    client: 'greenlight deploy --registry 127.0.0.1:PORT (its own process)',
    trials: 1,
    outcome: 'kept-secret',
    checks:
      'exit 0; the release recorded ready; the registry logged the user authenticated; the CLI process sampled; no finding of the password or user:password (the Basic header) in argv, stdout or stderr',
    test: SECRETS_TEST,
  },
  {
    id: 'secrets.registry-password.action',
    area: SECRETS,
    fault: 'the same credentials in the job environment of the deploy-group bundle',
    client: 'deploy-group bundle (registry input: the password registry)',
    trials: 1,
    outcome: 'kept-secret',
    checks: `exit 0, phase ready, the release recorded ready; ::add-mask:: of the password before the first line naming the registry; ${SCANNED}`,
    test: SECRETS_TEST,
  },
  {
    id: 'secrets.registry-password.refused',
    area: SECRETS,
    fault: 'a wrong password; no credentials at all',
    client: 'greenlight deploy --registry 127.0.0.1:PORT (its own process)',
    trials: 2,
    outcome: 'failed-clearly',
    message: 'access denied (HTTP 401)',
    checks:
      'exit 1 naming the registry; no release recorded; neither the right nor the wrong password (nor user:password) in argv, stdout or stderr',
    test: SECRETS_TEST,
  },
  {
    id: 'secrets.github-token',
    area: SECRETS,
    fault:
      "the github-token input, used for a commit status and a PR comment, while the group's test command (no shell) prints its whole environment (found: it inherited the action's inputs, INPUT_GITHUB-TOKEN among them, and printed the token; fixed: it gets the job's environment less INPUT_*)",
    client: 'run-integration bundle, command mode, reporting to the strict GitHub fake',
    trials: 1,
    outcome: 'kept-secret',
    checks: `exit 0, passed; statuses pending then success and one comment naming the release, every request held to the OpenAPI description; the test command sampled, its environment printed; ::add-mask:: of the token before the test command runs; ${SCANNED}, nor in the comment bodies, statuses, or the paths and queries sent to the fake`,
    test: SECRETS_TEST,
  },
  {
    id: 'secrets.github-token-control',
    area: SECRETS,
    fault: 'control: the group file puts the token into its test command (`echo TOKEN; sleep 1`)',
    client: 'run-integration bundle, the same run',
    trials: 1,
    outcome: 'observed',
    message: 'GitHub token (raw)',
    checks:
      'found in the argv of the sampled test command and in stdout, never printed by the findings themselves',
    test: SECRETS_TEST,
  },
];
