/**
 * The catalogue of reliability cases: every fault and input tried, how many times, and
 * the outcome its test asserts. docs/reliability.md is rendered from it (see
 * reliability-doc.ts); each case is run by the test named in `test`, through
 * `reliabilityCase(id, ...)`. Edit here, then `npm run reliability:doc`.
 *
 * The `harness.*` cases check the fault harness itself with clients that are not
 * Greenlight (kubectl, @kubernetes/client-node, skopeo, the AWS SDK). Greenlight's own
 * cases (deploy, test and promote under faults, kill points, lost locks, concurrency,
 * hostile input, secrets) are in reliability-cases-engine.ts, joined here.
 */
import {
  API_FAULT_CASES,
  HOSTILE_CASES,
  KILL_CASES,
  LOCK_CASES,
  REGISTRY_FAULT_CASES,
  SECRET_CASES,
} from './reliability-cases-engine.ts';
import type { ReliabilityCase } from './reliability-doc.ts';

const API = 'harness: API server proxy';
const WATCH = 'harness: watch streams';
const KILL = 'harness: kill points';
const LEASE = 'harness: lease blocker';
const REGISTRY = 'harness: registry proxy';
const ECR = 'harness: ECR API proxy';

/** client-go words its own timeout either way, depending on which of its timers fires first */
const CLIENT_TIMEOUT = ['Client.Timeout exceeded while awaiting headers', 'context deadline exceeded'];

const API_TEST = 'test/integration/fault-proxy.test.ts';
const REGISTRIES_TEST = 'test/integration/fault-proxy-registries.test.ts';

const HARNESS_CASES: readonly ReliabilityCase[] = [
  {
    id: 'harness.api.status-503',
    area: API,
    fault: 'GET of a ConfigMap answered 503 with a Status body',
    client: 'kubectl get',
    trials: 1,
    outcome: 'observed',
    message:
      'Error from server (ServiceUnavailable): the server is currently unable to handle the request (injected by the fault proxy)',
    checks: 'exit 1; the request never reached the server',
    test: API_TEST,
  },
  {
    id: 'harness.api.throttle-429',
    area: API,
    fault: 'first GET answered 429 with Retry-After: 1',
    client: 'kubectl get -v=4',
    trials: 1,
    outcome: 'recovered',
    message: '"Got a Retry-After response" delay="1s"',
    checks: 'client-go waited the Retry-After it read back, retried once, printed the ConfigMap',
    test: API_TEST,
  },
  {
    id: 'harness.api.conflict-409',
    area: API,
    fault: 'PUT answered 409 Conflict',
    client: 'kubectl replace',
    trials: 1,
    outcome: 'observed',
    message:
      'Error from server (Conflict): error when replacing "STDIN": Operation cannot be fulfilled on configmaps "c1": the object has been modified',
    checks: 'exit 1; data and resourceVersion on the server unchanged',
    test: API_TEST,
  },
  {
    id: 'harness.api.reset-before-write',
    area: API,
    fault: 'POST: connection reset before forwarding',
    client: 'kubectl create',
    trials: 1,
    outcome: 'observed',
    message: 'read: connection reset by peer',
    checks: 'exit 1; the ConfigMap does not exist; no write reached the server',
    test: API_TEST,
  },
  {
    id: 'harness.api.reset-after-write',
    area: API,
    fault: 'POST: forwarded, applied, then the connection reset instead of the answer',
    client: 'kubectl create',
    trials: 1,
    outcome: 'observed',
    message: 'read: connection reset by peer',
    checks: 'exit 1, yet the ConfigMap exists with the uid the server answered (the ambiguous write)',
    test: API_TEST,
  },
  {
    id: 'harness.api.reset-read',
    area: API,
    fault: 'first GET: connection reset',
    client: 'kubectl get',
    trials: 1,
    outcome: 'recovered',
    checks: 'the read was retried once (reset, then answered) and the ConfigMap printed',
    test: API_TEST,
  },
  {
    id: 'harness.api.delay',
    area: API,
    fault: 'GET delayed 3 s',
    client: 'kubectl get --request-timeout=1s, then without a deadline',
    trials: 1,
    outcome: 'observed',
    message: CLIENT_TIMEOUT,
    checks: 'the impatient read fails; the patient one is delayed, then answered',
    test: API_TEST,
  },
  {
    id: 'harness.api.hang',
    area: API,
    fault: 'GET never answered',
    client: 'kubectl get --request-timeout=1s',
    trials: 1,
    outcome: 'observed',
    message: CLIENT_TIMEOUT,
    checks: 'exit 1; the request was held, never forwarded',
    test: API_TEST,
  },
  {
    id: 'harness.api.watch-abort',
    area: WATCH,
    fault: 'watch cut mid-stream (no end of the chunked body) after 3 events',
    client: 'kubectl get --watch -v=1',
    trials: 1,
    outcome: 'observed',
    message: 'Unexpected EOF during watch stream event decoding',
    checks: 'kubectl printed exactly the first 3 of 5 ConfigMaps created and ended; all 5 exist',
    test: API_TEST,
  },
  {
    id: 'harness.api.watch-end',
    area: WATCH,
    fault: 'watch ended cleanly after 2 events',
    client: '@kubernetes/client-node Watch',
    trials: 1,
    outcome: 'observed',
    checks: 'exactly 2 ADDED events of 4, then done without an error',
    test: API_TEST,
  },
  {
    id: 'harness.kill.kubectl-apply',
    area: KILL,
    fault: 'SIGKILL right after write n (n = 1..5) of an apply of 5 ConfigMaps, then the same apply again',
    client: 'kubectl apply',
    trials: 5,
    outcome: 'recovered',
    checks:
      'after the kill exactly the first n ConfigMaps exist; the second apply writes only the other 5-n; then all 5 exist',
    test: API_TEST,
  },
  {
    id: 'harness.lease.fail',
    area: LEASE,
    fault: 'renewals (PUT, PATCH) of one Lease answered 503',
    client: 'kubectl replace, kubectl patch',
    trials: 1,
    outcome: 'observed',
    message: 'renewals of Lease lock are blocked by the fault proxy',
    checks: 'reads still pass; renewTime on the server unchanged; after remove() the renewal goes through',
    test: API_TEST,
  },
  {
    id: 'harness.lease.hang',
    area: LEASE,
    fault: 'renewal of one Lease never answered',
    client: 'kubectl replace --request-timeout=2s',
    trials: 1,
    outcome: 'observed',
    message: CLIENT_TIMEOUT,
    checks: 'exit 1; renewTime on the server unchanged',
    test: API_TEST,
  },
  {
    id: 'harness.registry.status-500',
    area: REGISTRY,
    fault: 'GET of a manifest answered 500',
    client: 'skopeo inspect',
    trials: 1,
    outcome: 'observed',
    message: 'received unexpected HTTP status: 500 Internal Server Error',
    checks: 'exit 1; never forwarded',
    test: REGISTRIES_TEST,
  },
  {
    id: 'harness.registry.throttle-429',
    area: REGISTRY,
    fault: 'every GET of a manifest answered 429 with Retry-After: 1 and an OCI error body',
    client: 'skopeo inspect',
    trials: 1,
    outcome: 'observed',
    message: 'toomanyrequests: injected by the fault proxy: HTTP 429',
    checks: 'skopeo retried by itself, then gave up; every try was answered 429',
    test: REGISTRIES_TEST,
  },
  {
    id: 'harness.registry.reset',
    area: REGISTRY,
    fault: 'GET of a manifest: connection reset',
    client: 'skopeo inspect',
    trials: 1,
    outcome: 'observed',
    message: 'read: connection reset by peer',
    checks: 'exit 1',
    test: REGISTRIES_TEST,
  },
  {
    id: 'harness.registry.garbage',
    area: REGISTRY,
    fault: 'GET of a manifest answered 200 with 256 random bytes as JSON',
    client: 'skopeo inspect',
    trials: 1,
    outcome: 'observed',
    message: 'Error parsing manifest for image: invalid character',
    checks: 'exit 1',
    test: REGISTRIES_TEST,
  },
  {
    id: 'harness.ecr.status-500',
    area: ECR,
    fault: 'DescribeRepositories answered 500 (ServerException)',
    client: 'AWS SDK, 1 attempt',
    trials: 1,
    outcome: 'observed',
    message: 'ServerException: injected by the fault proxy: HTTP 500',
    checks: 'never forwarded',
    test: REGISTRIES_TEST,
  },
  {
    id: 'harness.ecr.throttle-429',
    area: ECR,
    fault: 'first DescribeRepositories answered 429 (ThrottlingException)',
    client: 'AWS SDK, 3 attempts',
    trials: 1,
    outcome: 'recovered',
    checks: 'the SDK retried once and got the repository',
    test: REGISTRIES_TEST,
  },
  {
    id: 'harness.ecr.reset',
    area: ECR,
    fault: 'DescribeRepositories: connection reset',
    client: 'AWS SDK, 1 attempt',
    trials: 1,
    outcome: 'observed',
    message: 'read ECONNRESET',
    checks: 'never forwarded',
    test: REGISTRIES_TEST,
  },
  {
    id: 'harness.ecr.garbage',
    area: ECR,
    fault: 'DescribeRepositories answered 200 with a body that is not JSON',
    client: 'AWS SDK, 1 attempt',
    trials: 1,
    outcome: 'observed',
    message: 'Deserialization error',
    checks: 'never forwarded',
    test: REGISTRIES_TEST,
  },
];

export const RELIABILITY_CASES: readonly ReliabilityCase[] = [
  ...HARNESS_CASES,
  ...API_FAULT_CASES,
  ...REGISTRY_FAULT_CASES,
  ...KILL_CASES,
  ...LOCK_CASES,
  ...HOSTILE_CASES,
  ...SECRET_CASES,
];
