/**
 * The local stack: etcd, kube-apiserver, kube-controller-manager,
 * kube-scheduler, kwok (one fake Node), moto (ECR API) and the CNCF
 * distribution registry, each on 127.0.0.1 with a port chosen at start, in a
 * fresh temporary directory. See test/stack/README.md.
 *
 *   const stack = await startStack({ log: console.error });
 *   ... stack.info ...
 *   await stack.stop();
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { KWOK_NODE_ANNOTATION, KWOK_NODE_NAME } from './annotations.ts';
import { createStackPki, kubeconfigYaml } from './pki.ts';
import {
  ComponentFailedError,
  freePorts,
  killGroupsNow,
  type RunningProcess,
  startProcess,
  stopGroups,
  waitUntilReady,
} from './process.ts';
import type { RealNodeRecord } from './real-nodes/host.ts';
import { prepareRealNode, type RealNodeInfo, type RealNodeSetup } from './real-nodes/node.ts';
import { pinnedVersions, registryBinaryPath, STACK_SOURCE_DIR, type Tool, toolPath } from './tools.ts';
import type { StackInfo } from './types.ts';

export const STACK_REGION = 'us-east-1';
export const STACK_AWS_ACCESS_KEY_ID = 'AKIAGREENLIGHTTEST00';
export const STACK_AWS_SECRET_ACCESS_KEY = 'greenlight-local-stack-dummy-secret';
/** moto's default account. */
export const STACK_AWS_ACCOUNT_ID = '123456789012';
// A /16: engine tests keep four Services per service, in many namespaces at once.
export const SERVICE_CLUSTER_IP_RANGE = '10.0.0.0/16';

export interface StartStackOptions {
  /** Parent of the stack's temp dir (default: the OS temp dir). */
  parentDir?: string;
  /** Prefix of the temp dir's name. */
  label?: string;
  /** Progress lines (what started, how long it took). Default: silent. */
  log?: (line: string) => void;
  /**
   * `owned` (default): the processes belong to this Node process: a SIGINT or
   * SIGTERM here stops them, and a reaper stops them if this process dies
   * without cleaning up. `detached`: once started they outlive this process
   * (`stack:up`); a signal during start-up still stops them.
   */
  lifetime?: 'owned' | 'detached';
  /**
   * A real node (containerd, kubelet, kube-proxy, CoreDNS in a network namespace
   * of its own; pods really run) instead of kwok's fake one. Needs root and the
   * real-node section of install.sh. See real-nodes/node.ts.
   */
  realNodes?: boolean;
  /**
   * Benchmarks (bench/): pods become Ready after this many milliseconds instead of
   * the stages' 1000 (a pod's `greenlight.test/ready-delay` annotation still wins).
   * Default: the stages as they are.
   */
  podReadyDelayMs?: number;
  /**
   * Benchmarks: the API server writes an audit log (JSON lines, `logs/audit.log`,
   * `info.logs.audit`) under a policy that records every request at level Metadata,
   * except those of the cluster's own components. Default: no audit log.
   */
  auditLog?: boolean;
  /**
   * Benchmarks: lift the client-side rate limits of kube-controller-manager and
   * kube-scheduler (20 and 50 QPS by default), as `kwokctl --disable-qps-limits` does,
   * so that the cluster's own work for hundreds of objects does not queue. Default: off.
   */
  unlimitedControllerQps?: boolean;
  /**
   * Benchmarks: the Service IP range (default SERVICE_CLUSTER_IP_RANGE, a /16: 65534
   * Services). Greenlight keeps four Services per service; 200 services need a /20 or more.
   */
  serviceClusterIpRange?: string;
}

export interface RecordedProcess {
  name: string;
  pid: number;
  log: string;
}

/** What `state.json` in the stack dir holds: enough for another process to stop the stack. */
export interface StackState {
  info: StackInfo;
  processes: RecordedProcess[];
  startedAt: string;
  startupSeconds: number;
  ownerPid: number | null;
  /** what the real node changed on the machine (namespace, cgroup), for whoever tears it down */
  realNode: RealNodeRecord | null;
}

export interface RunningStack {
  info: StackInfo;
  state: StackState;
  /** Stops every process (SIGTERM, then SIGKILL) and removes the temp dir. Safe to call twice. */
  stop(options?: { keepDir?: boolean }): Promise<void>;
}

export const STATE_FILE = 'state.json';

interface HttpResult {
  status: number;
  body: string;
}

interface TlsClient {
  ca?: string;
  cert?: string;
  key?: string;
  insecure?: boolean;
}

/** One bounded HTTP(S) request to 127.0.0.1. */
export function httpCall(
  url: string,
  options: {
    method?: string;
    body?: string;
    tls?: TlsClient;
    timeoutMs?: number;
    headers?: Record<string, string>;
  } = {},
): Promise<HttpResult> {
  const parsed = new URL(url);
  if (parsed.hostname !== '127.0.0.1' && parsed.hostname !== 'localhost' && parsed.hostname !== '[::1]') {
    return Promise.reject(new Error(`refusing to call ${url}: the local stack only talks to loopback`));
  }
  const tls = options.tls ?? {};
  return new Promise((resolve, reject) => {
    const common = {
      method: options.method ?? 'GET',
      timeout: options.timeoutMs ?? 3000,
      headers: { ...(options.body ? { 'content-type': 'application/json' } : {}), ...options.headers },
    };
    const onResponse = (res: import('node:http').IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
      );
      res.on('error', reject);
    };
    const req =
      parsed.protocol === 'https:'
        ? httpsRequest(
            url,
            {
              ...common,
              ...(tls.ca ? { ca: tls.ca } : {}),
              ...(tls.cert ? { cert: tls.cert } : {}),
              ...(tls.key ? { key: tls.key } : {}),
              rejectUnauthorized: !tls.insecure,
            },
            onResponse,
          )
        : httpRequest(url, common, onResponse);
    req.on('timeout', () => req.destroy(new Error(`timed out after ${common.timeout}ms`)));
    req.on('error', reject);
    req.end(options.body);
  });
}

function readText(path: string): string {
  return readFileSync(path, 'utf8');
}

const LOCAL_TOOLS: Tool[] = [
  'etcd',
  'kube-apiserver',
  'kube-controller-manager',
  'kube-scheduler',
  'kwok',
  'moto_server',
];

/** Starts the whole stack; on any failure stops what was started and throws naming the component and its log. */
export async function startStack(options: StartStackOptions = {}): Promise<RunningStack> {
  // Ports are chosen free, but another process can take one before our server
  // binds it: then start again once, with new ports, in a new dir.
  try {
    return await startStackOnce(options);
  } catch (error) {
    if (!(error instanceof ComponentFailedError) || !portTaken(error.log)) throw error;
    options.log?.(
      `[stack] ${error.component} lost its port to another process; starting again with new ports`,
    );
    rmSync(dirname(dirname(error.log)), { recursive: true, force: true });
    return await startStackOnce(options);
  }
}

function portTaken(logFile: string): boolean {
  try {
    return /address already in use/i.test(readFileSync(logFile, 'utf8'));
  } catch {
    return false;
  }
}

async function startStackOnce(options: StartStackOptions): Promise<RunningStack> {
  const log = options.log ?? (() => {});
  const lifetime = options.lifetime ?? 'owned';
  const t0 = Date.now();
  const since = () => `${((Date.now() - t0) / 1000).toFixed(1)}s`;

  // Resolve every binary first: a missing install fails before anything starts.
  const localTools = options.realNodes ? LOCAL_TOOLS.filter((tool) => tool !== 'kwok') : LOCAL_TOOLS;
  const bins = Object.fromEntries(localTools.map((tool) => [tool, toolPath(tool)])) as Record<string, string>;
  const registryBin = registryBinaryPath();
  const versions = pinnedVersions();

  const parent = options.parentDir ?? tmpdir();
  mkdirSync(parent, { recursive: true });
  const dir = mkdtempSync(join(parent, `${options.label ?? 'greenlight-stack'}-`));
  const logsDir = join(dir, 'logs');
  mkdirSync(logsDir);
  const binDir = join(dir, 'bin');
  mkdirSync(binDir);
  for (const tool of [...localTools, 'kubectl', 'actionlint', 'hadolint'] as Tool[]) {
    try {
      symlinkSync(toolPath(tool), join(binDir, tool));
    } catch {
      // optional for the stack itself (actionlint, hadolint): tools.ts reports it where it is needed
    }
  }

  const processes: RunningProcess[] = [];
  const recorded = () => processes.map(({ name, pid, log: path }) => ({ name, pid, log: path }));
  let realNode: RealNodeSetup | undefined;
  let stopped = false;
  const onSignal = (signal: NodeJS.Signals) => {
    // Cannot wait here: kill at once, remove the dir, and let the default
    // behaviour (or the other listeners) end the process. A real node's teardown
    // has to wait (cgroups, namespace): the reaper (or the next start) does it
    // from state.json, so the dir stays.
    killGroupsNow(processes.map((p) => p.pid));
    if (!realNode) rmSync(dir, { recursive: true, force: true });
    // an owned stack has its reaper already; a detached one (Ctrl-C during stack:up) gets one now
    else if (lifetime === 'detached') startReaper(dir, () => {});
    stopped = true;
    const others = process.listeners(signal).filter((l) => l !== onSignal);
    process.removeListener(signal, onSignal);
    if (others.length === 0) process.kill(process.pid, signal);
  };
  // An owned stack stops with this process; a detached one only while it starts
  // (Ctrl-C during `stack:up` must not leave half a stack behind).
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const stop = async (stopOptions: { keepDir?: boolean } = {}) => {
    if (stopped) return;
    stopped = true;
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    await stopGroups(processes.map((p) => p.pid));
    await realNode?.teardown();
    // no state.json = nothing left to stop (the reaper exits on that)
    rmSync(join(dir, STATE_FILE), { force: true });
    if (!stopOptions.keepDir) rmSync(dir, { recursive: true, force: true });
  };

  const writeState = (info: StackInfo | null, startupSeconds = 0) => {
    const state = {
      info,
      processes: recorded(),
      startedAt: new Date(t0).toISOString(),
      startupSeconds,
      ownerPid: lifetime === 'owned' ? process.pid : null,
      realNode: realNode?.record ?? null,
    };
    writeFileSync(join(dir, STATE_FILE), `${JSON.stringify(state, null, 2)}\n`);
    return state;
  };

  const start = (name: string, command: string, args: string[], env?: NodeJS.ProcessEnv) => {
    const proc = startProcess({
      name,
      command,
      args,
      log: join(logsDir, `${name}.log`),
      cwd: dir,
      ...(env ? { env } : {}),
    });
    processes.push(proc);
    writeState(null);
    log(`[stack ${since()}] started ${name} (pid ${proc.pid}, log ${proc.log})`);
    return proc;
  };

  try {
    writeState(null);
    if (lifetime === 'owned') startReaper(dir, log);

    const [etcdClient, etcdPeer, apiPort, kcmPort, schedPort, motoPort, registryPort] = (await freePorts(
      7,
    )) as [number, number, number, number, number, number, number];
    const pki = await createStackPki(join(dir, 'pki'));
    const apiServerUrl = `https://127.0.0.1:${apiPort}`;
    const adminTls: TlsClient = {
      ca: readText(pki.caCert),
      cert: readText(pki.admin.cert),
      key: readText(pki.admin.key),
    };
    const api = (path: string, init: { method?: string; body?: string } = {}) =>
      httpCall(`${apiServerUrl}${path}`, { ...init, tls: adminTls });

    const kubeconfig = join(dir, 'admin.kubeconfig');
    writeFileSync(kubeconfig, kubeconfigYaml('greenlight-admin', apiServerUrl, pki, pki.admin), {
      mode: 0o600,
    });
    const kcmKubeconfig = join(dir, 'kube-controller-manager.kubeconfig');
    writeFileSync(
      kcmKubeconfig,
      kubeconfigYaml('kube-controller-manager', apiServerUrl, pki, pki.controllerManager),
    );
    const schedKubeconfig = join(dir, 'kube-scheduler.kubeconfig');
    writeFileSync(schedKubeconfig, kubeconfigYaml('kube-scheduler', apiServerUrl, pki, pki.scheduler));
    const kwokKubeconfig = join(dir, 'kwok.kubeconfig');
    writeFileSync(kwokKubeconfig, kubeconfigYaml('kwok', apiServerUrl, pki, pki.kwok));

    // ---- the real node's namespace, cgroup and relay come first: the API server's egress goes through it
    if (options.realNodes) {
      realNode = await prepareRealNode({
        stackDir: dir,
        apiServerUrl,
        registry: `127.0.0.1:${registryPort}`,
        serviceCidr: SERVICE_CLUSTER_IP_RANGE,
        pki,
        log,
      });
      writeState(null);
      await realNode.startRelay(start);
    }

    // ---- etcd, moto and the registry do not depend on anything: start together
    const etcd = start('etcd', bins.etcd as string, [
      '--name=greenlight',
      `--data-dir=${join(dir, 'etcd-data')}`,
      `--listen-client-urls=http://127.0.0.1:${etcdClient}`,
      `--advertise-client-urls=http://127.0.0.1:${etcdClient}`,
      `--listen-peer-urls=http://127.0.0.1:${etcdPeer}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeer}`,
      `--initial-cluster=greenlight=http://127.0.0.1:${etcdPeer}`,
      '--initial-cluster-state=new',
      '--unsafe-no-fsync', // test data: speed over durability
      '--log-level=warn',
    ]);

    // No MOTO_ACCOUNT_ID: it would pin every request to one account. Without it the stack's
    // keys still land in moto's default account (STACK_AWS_ACCOUNT_ID), and credentials from
    // STS AssumeRole land in the role's account, as in AWS: the workflow tests (test/support/act.ts)
    // give each run an account of its own that way.
    const moto = start('moto', bins.moto_server as string, ['-H', '127.0.0.1', '-p', String(motoPort)], {
      ...process.env,
      AWS_DEFAULT_REGION: STACK_REGION,
    });

    const registryConfig = join(dir, 'registry.yml');
    writeFileSync(
      registryConfig,
      [
        'version: 0.1',
        'log:',
        '  level: info',
        '  formatter: text',
        'storage:',
        '  filesystem:',
        `    rootdirectory: ${join(dir, 'registry-data')}`,
        '  delete:',
        '    enabled: true',
        '  maintenance:',
        '    uploadpurging:',
        '      enabled: false',
        'http:',
        `  addr: 127.0.0.1:${registryPort}`,
        `  secret: ${randomBytes(16).toString('hex')}`,
        '',
      ].join('\n'),
    );
    const registry = start('registry', registryBin, ['serve', registryConfig], {
      ...process.env,
      // the Debian build would otherwise also read /etc/docker/registry/config.yml defaults only; nothing else
      OTEL_TRACES_EXPORTER: 'none',
    });

    await waitUntilReady(
      etcd,
      'healthy',
      async () => (await httpCall(`http://127.0.0.1:${etcdClient}/health`)).body.includes('"health":"true"'),
      30_000,
    );
    log(`[stack ${since()}] etcd healthy`);

    // ---- kube-apiserver (flags after controller-runtime's envtest, plus a real SA issuer)
    const apiserver = start('kube-apiserver', bins['kube-apiserver'] as string, [
      '--advertise-address=127.0.0.1',
      '--bind-address=127.0.0.1',
      `--secure-port=${apiPort}`,
      `--etcd-servers=http://127.0.0.1:${etcdClient}`,
      `--cert-dir=${join(dir, 'kube-apiserver-certs')}`,
      `--tls-cert-file=${pki.apiServer.cert}`,
      `--tls-private-key-file=${pki.apiServer.key}`,
      `--client-ca-file=${pki.caCert}`,
      '--authorization-mode=Node,RBAC',
      `--service-account-issuer=${apiServerUrl}`,
      `--service-account-key-file=${pki.serviceAccountPub}`,
      `--service-account-signing-key-file=${pki.serviceAccountKey}`,
      `--service-cluster-ip-range=${serviceIpRange(options)}`,
      // front-proxy (aggregation) settings, so that the controller manager and
      // scheduler find the request-header CA they look for and do not log errors
      `--requestheader-client-ca-file=${pki.caCert}`,
      '--requestheader-allowed-names=front-proxy-client',
      '--requestheader-username-headers=X-Remote-User',
      '--requestheader-group-headers=X-Remote-Group',
      '--requestheader-extra-headers-prefix=X-Remote-Extra-',
      `--proxy-client-cert-file=${pki.frontProxyClient.cert}`,
      `--proxy-client-key-file=${pki.frontProxyClient.key}`,
      '--allow-privileged=true',
      '--profiling=false',
      '--endpoint-reconciler-type=none',
      ...(realNode?.apiServerFlags ?? []),
      ...auditLogArgs(dir, options),
      '--v=1',
    ]);
    await waitUntilReady(
      apiserver,
      'ready (/readyz)',
      async () => (await api('/readyz')).status === 200,
      60_000,
      200,
    );
    log(`[stack ${since()}] kube-apiserver ready at ${apiServerUrl}`);

    // ---- controllers, scheduler, kwok
    const kcm = start('kube-controller-manager', bins['kube-controller-manager'] as string, [
      `--kubeconfig=${kcmKubeconfig}`,
      `--authentication-kubeconfig=${kcmKubeconfig}`,
      `--authorization-kubeconfig=${kcmKubeconfig}`,
      '--bind-address=127.0.0.1',
      `--secure-port=${kcmPort}`,
      `--cert-dir=${join(dir, 'kube-controller-manager-certs')}`,
      '--leader-elect=false',
      '--use-service-account-credentials=true',
      `--service-account-private-key-file=${pki.serviceAccountKey}`,
      `--root-ca-file=${pki.caCert}`,
      `--cluster-signing-cert-file=${pki.caCert}`,
      `--cluster-signing-key-file=${pki.caKey}`,
      `--service-cluster-ip-range=${serviceIpRange(options)}`,
      // nothing here needs a cloud or real kubelets to garbage-collect images
      '--controllers=*,-cloud-node-lifecycle-controller,-service-lb-controller,-node-route-controller',
      '--profiling=false',
      ...controllerQpsArgs(options),
      '--v=1',
    ]);
    const scheduler = start('kube-scheduler', bins['kube-scheduler'] as string, [
      `--kubeconfig=${schedKubeconfig}`,
      `--authentication-kubeconfig=${schedKubeconfig}`,
      `--authorization-kubeconfig=${schedKubeconfig}`,
      '--bind-address=127.0.0.1',
      `--secure-port=${schedPort}`,
      `--cert-dir=${join(dir, 'kube-scheduler-certs')}`,
      '--leader-elect=false',
      '--profiling=false',
      ...controllerQpsArgs(options),
      '--v=1',
    ]);
    const kwokHome = join(dir, 'kwok-home'); // kwok also reads ~/.kwok/kwok.yaml: keep a person's out
    mkdirSync(kwokHome);
    const kwok = realNode
      ? undefined
      : start(
          'kwok',
          bins.kwok as string,
          [
            `--kubeconfig=${kwokKubeconfig}`,
            `--config=${kwokStagesFile(dir, options)}`,
            '--manage-all-nodes=false',
            `--manage-nodes-with-annotation-selector=${KWOK_NODE_ANNOTATION}=fake`,
            '--cidr=10.244.0.0/16',
            // A loopback node address: the API server's calls to "the kubelet" (pod logs,
            // port-forward, exec) are refused on this machine instead of leaving it.
            '--node-ip=127.0.0.2',
            '--node-lease-duration-seconds=40',
          ],
          { ...process.env, HOME: kwokHome },
        );

    if (kwok) {
      // the fake node kwok looks after
      const nodeBody = JSON.stringify({
        apiVersion: 'v1',
        kind: 'Node',
        metadata: {
          name: KWOK_NODE_NAME,
          annotations: { [KWOK_NODE_ANNOTATION]: 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
          labels: {
            'kubernetes.io/hostname': KWOK_NODE_NAME,
            'kubernetes.io/os': 'linux',
            'kubernetes.io/arch': 'amd64',
            type: 'kwok',
          },
        },
      });
      const created = await api('/api/v1/nodes', { method: 'POST', body: nodeBody });
      if (created.status !== 201) {
        throw new ComponentFailedError(
          'kube-apiserver',
          `refused to create Node ${KWOK_NODE_NAME}: HTTP ${created.status} ${created.body}`,
          apiserver.log,
        );
      }
    }

    const healthz = (port: number) => async () =>
      (await httpCall(`https://127.0.0.1:${port}/healthz`, { tls: { insecure: true } })).status === 200;
    await Promise.all([
      waitUntilReady(kcm, 'healthy (/healthz)', healthz(kcmPort), 60_000, 200).then(() =>
        log(`[stack ${since()}] kube-controller-manager healthy`),
      ),
      waitUntilReady(scheduler, 'healthy (/healthz)', healthz(schedPort), 60_000, 200).then(() =>
        log(`[stack ${since()}] kube-scheduler healthy`),
      ),
      waitUntilReady(
        moto,
        'answering HTTP',
        async () => (await httpCall(`http://127.0.0.1:${motoPort}/moto-api/`)).status < 500,
        30_000,
      ).then(() => log(`[stack ${since()}] moto answering at http://127.0.0.1:${motoPort}`)),
      waitUntilReady(
        registry,
        'answering /v2/',
        async () => (await httpCall(`http://127.0.0.1:${registryPort}/v2/`)).status === 200,
        30_000,
      ).then(() => log(`[stack ${since()}] registry answering at 127.0.0.1:${registryPort}`)),
    ]);

    let realNodeInfo: RealNodeInfo | undefined;
    if (realNode) {
      realNodeInfo = await realNode.start({ start, api, log });
    } else if (kwok) {
      await waitUntilReady(
        kwok,
        `Node ${KWOK_NODE_NAME} Ready`,
        async () => {
          const res = await api(`/api/v1/nodes/${KWOK_NODE_NAME}`);
          if (res.status !== 200) return false;
          const node = JSON.parse(res.body) as {
            status?: { conditions?: { type: string; status: string }[] };
          };
          return node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
        },
        30_000,
        200,
      );
      log(`[stack ${since()}] node ${KWOK_NODE_NAME} Ready (kwok)`);
    }

    // the controllers are working once the ServiceAccount controller has made default/default
    await waitUntilReady(
      kcm,
      'ServiceAccount default/default created',
      async () => (await api('/api/v1/namespaces/default/serviceaccounts/default')).status === 200,
      60_000,
      200,
    );

    const info: StackInfo = {
      dir,
      kubeconfig,
      apiServerUrl,
      ecrEndpoint: `http://127.0.0.1:${motoPort}`,
      registry: `127.0.0.1:${registryPort}`,
      region: STACK_REGION,
      awsAccessKeyId: STACK_AWS_ACCESS_KEY_ID,
      awsSecretAccessKey: STACK_AWS_SECRET_ACCESS_KEY,
      awsAccountId: STACK_AWS_ACCOUNT_ID,
      binDir,
      caFile: pki.caCert,
      nodeName: realNodeInfo?.nodeName ?? KWOK_NODE_NAME,
      kubernetesVersion: versions.kubernetes,
      logs: {
        ...Object.fromEntries(processes.map((p) => [p.name, p.log])),
        ...(options.auditLog ? { audit: auditLogPath(dir) } : {}),
      },
      ...(realNodeInfo ? { realNode: realNodeInfo } : {}),
    };
    const startupSeconds = (Date.now() - t0) / 1000;
    const state = writeState(info, startupSeconds) as StackState;
    if (lifetime === 'detached') {
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
      realNode?.detach();
    }
    log(`[stack ${since()}] ready: ${dir}`);
    return { info, state, stop };
  } catch (error) {
    log(
      `[stack ${since()}] start-up failed; stopping ${processes.map((p) => p.name).join(', ') || 'nothing'}`,
    );
    // keep the logs the error points at
    await stop({ keepDir: true });
    throw error;
  }
}

/**
 * A small detached process that stops the stack if the process that owns it
 * dies without cleaning up (vitest killed with SIGKILL, a crash). It exits by
 * itself once the stack's dir is gone (normal teardown).
 */
function startReaper(dir: string, log: (line: string) => void): void {
  const reaper = startProcess({
    name: 'reaper',
    command: process.execPath,
    args: [join(STACK_SOURCE_DIR, 'reaper.ts'), String(process.pid), dir],
    log: join(dir, 'logs', 'reaper.log'),
    cwd: dir,
  });
  // not among the stack's processes: stop() must not kill it; it exits once state.json is gone
  log(`[stack] reaper pid ${reaper.pid} watches pid ${process.pid}`);
}

// ---------------------------------------------------------------- options for the benchmarks (bench/)

const STAGES_FILE = join(STACK_SOURCE_DIR, 'kwok', 'stages.yaml');
const POD_READY_STAGE = 'greenlight-pod-ready';

/** The stages kwok runs: the committed file, or a copy in the stack dir with the pod-ready delay changed. */
function kwokStagesFile(dir: string, options: StartStackOptions): string {
  if (options.podReadyDelayMs === undefined) return STAGES_FILE;
  const delayMs = options.podReadyDelayMs;
  if (!Number.isInteger(delayMs) || delayMs < 0) {
    throw new Error(`podReadyDelayMs: expected a whole number of milliseconds >= 0, got ${delayMs}`);
  }
  const documents = parseAllDocuments(readText(STAGES_FILE));
  const stage = documents.find((doc) => doc.getIn(['metadata', 'name']) === POD_READY_STAGE);
  if (!stage?.hasIn(['spec', 'delay', 'durationMilliseconds'])) {
    throw new Error(`${STAGES_FILE}: no stage ${POD_READY_STAGE} with spec.delay.durationMilliseconds`);
  }
  stage.setIn(['spec', 'delay', 'durationMilliseconds'], delayMs);
  const path = join(dir, 'kwok-stages.yaml');
  writeFileSync(path, documents.map((doc) => doc.toString()).join('---\n'));
  return path;
}

/**
 * Requests of the cluster's own components are left out (they are not what a benchmark
 * measures, and they would be most of the log); everything else at Metadata: user, verb
 * (a watch is verb `watch`, apart from `list` and `get`), resource, namespace, name,
 * response code and times, without bodies. RequestReceived is omitted, so a request is
 * one ResponseComplete line (a watch: ResponseStarted when it opens, ResponseComplete when it ends).
 */
const AUDIT_POLICY = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
  - level: None
    users: [system:kube-controller-manager, system:kube-scheduler, kwok-controller, system:apiserver]
  - level: None
    userGroups: [system:serviceaccounts:kube-system]
  - level: None
    nonResourceURLs: [/healthz*, /readyz*, /livez*]
  - level: Metadata
`;

function auditLogArgs(dir: string, options: StartStackOptions): string[] {
  if (!options.auditLog) return [];
  const policy = join(dir, 'audit-policy.yaml');
  writeFileSync(policy, AUDIT_POLICY);
  return [
    `--audit-policy-file=${policy}`,
    `--audit-log-path=${auditLogPath(dir)}`,
    '--audit-log-format=json',
    '--audit-log-mode=blocking', // every request is in the log when its response is sent
    '--audit-log-maxsize=0', // never rotated during a run
  ];
}

function auditLogPath(dir: string): string {
  return join(dir, 'logs', 'audit.log');
}

function serviceIpRange(options: StartStackOptions): string {
  return options.serviceClusterIpRange ?? SERVICE_CLUSTER_IP_RANGE;
}

/** The values kwokctl's --disable-qps-limits sets. */
function controllerQpsArgs(options: StartStackOptions): string[] {
  return options.unlimitedControllerQps ? ['--kube-api-qps=5000', '--kube-api-burst=10000'] : [];
}
