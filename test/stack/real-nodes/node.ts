/**
 * The real-node tier of the local stack: one Node whose pods really run.
 * containerd (Debian's, with runc and the CNI bridge plugin), kubelet and
 * kube-proxy (built with the control plane), CoreDNS and our relay, all inside
 * a network namespace and a cgroup of their own (see host.ts for what that
 * changes on the machine and how it is undone, config.ts for every setting).
 *
 * stack.ts calls it in two steps: `prepareRealNode` before the API server
 * starts (namespace, cgroup, certificates, files, the relay the API server's
 * egress goes through, the flags it needs), then `setup.start` once the API
 * server and the registry answer.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { issueLeaf, kubeconfigYaml, type StackPki } from '../pki.ts';
import { type RunningProcess, waitUntilReady } from '../process.ts';
import {
  MissingToolError,
  nodeToolPath,
  nodeToolsVersion,
  pauseImageArchive,
  systemBinary,
  toolPath,
} from '../tools.ts';
import {
  apiServerFlags,
  BRIDGE,
  CLUSTER_DOMAIN,
  COREDNS_READY_PORT,
  cniConflist,
  containerdConfig,
  corefile,
  egressSelectorConfig,
  holderScript,
  KUBE_PROXY_HEALTH_PORT,
  kubeletConfig,
  kubeletFlags,
  kubeProxyConfig,
  NODE_IP,
  NODE_NAME,
  type NodePlan,
  nodePaths,
  POD_CIDR,
} from './config.ts';
import {
  createNodeCgroup,
  createNodeNetwork,
  identityOf,
  inNodeCgroup,
  NAME_PREFIX,
  type RealNodeRecord,
  run,
  sweepStaleRealNodes,
  teardownRealNode,
  writeRecord,
} from './host.ts';
import { fetchInNamespace } from './traffic.ts';

/** What tests and people need to reach the node's network (StackInfo.realNode). */
export interface RealNodeInfo {
  nodeName: string;
  nodeIp: string;
  /** `ip netns` name; the namespace is at /run/netns/<netns> */
  netns: string;
  podCidr: string;
  serviceCidr: string;
  clusterDomain: string;
  /** the cgroup holding the node (and every relay started for it) */
  cgroup: string;
  /** greenlight-relay, for relays from the host's loopback to a Service */
  relayPath: string;
  /** dir of the node's files (configs, containerd's store, pod logs) */
  dir: string;
}

type StartFn = (name: string, command: string, args: string[], env?: NodeJS.ProcessEnv) => RunningProcess;

export interface RealNodeSetup {
  plan: NodePlan;
  record: RealNodeRecord;
  /** added to kube-apiserver's flags */
  apiServerFlags: string[];
  /** starts the relay: the API server's egress socket, and the API server and registry inside the namespace */
  startRelay(start: StartFn): Promise<void>;
  /** starts the node once the API server and the registry answer; resolves when it is Ready */
  start(context: NodeStartContext): Promise<RealNodeInfo>;
  /** a detached stack (`stack:up`) outlives the process that started it */
  detach(): void;
  /** removes the cgroup (killing whatever is left in it) and the namespace */
  teardown(): Promise<void>;
}

export interface NodeStartContext {
  start: StartFn;
  /** an admin call to the API server */
  api: (path: string, init?: { method?: string; body?: string }) => Promise<{ status: number; body: string }>;
  log: (line: string) => void;
}

const PAUSE_REPOSITORY = 'greenlight/pause';

interface NodeTools {
  kubelet: string;
  kubeProxy: string;
  coredns: string;
  relay: string;
  pauseArchive: string;
  containerd: string;
  ctr: string;
  runc: string;
  skopeo: string;
  cniBinDir: string;
}

/** Every binary the node needs, or one MissingToolError naming the fix; checked before anything starts. */
export function resolveNodeTools(): NodeTools {
  if (process.getuid?.() !== 0) {
    throw new MissingToolError(
      'the real-node tier needs root (network namespaces, cgroups, mounts, containerd)',
    );
  }
  const cniBinDir = '/usr/lib/cni';
  for (const plugin of ['bridge', 'host-local', 'portmap']) {
    if (!existsSync(join(cniBinDir, plugin))) {
      throw new MissingToolError(
        `the CNI plugin ${plugin} is not installed (apt package containernetworking-plugins): run \`bash test/stack/install.sh\``,
      );
    }
  }
  for (const [binary, apt] of [
    ['nsenter', 'util-linux'],
    ['unshare', 'util-linux'],
    ['ip', 'iproute2'],
    ['iptables-restore', 'iptables'],
    ['ip6tables-restore', 'iptables'],
  ] as const) {
    systemBinary(binary, apt);
  }
  return {
    kubelet: toolPath('kubelet'),
    kubeProxy: toolPath('kube-proxy'),
    coredns: toolPath('coredns'),
    relay: nodeToolPath('greenlight-relay'),
    pauseArchive: pauseImageArchive(),
    containerd: systemBinary('containerd'),
    ctr: systemBinary('ctr', 'containerd'),
    runc: systemBinary('runc'),
    skopeo: systemBinary('skopeo'),
    cniBinDir,
  };
}

export interface PrepareInput {
  stackDir: string;
  apiServerUrl: string;
  /** 127.0.0.1:PORT */
  registry: string;
  serviceCidr: string;
  pki: StackPki;
  log: (line: string) => void;
}

export async function prepareRealNode(input: PrepareInput): Promise<RealNodeSetup> {
  const tools = resolveNodeTools();
  await sweepStaleRealNodes(input.log);

  const plan = planNode(input, tools, randomBytes(4).toString('hex'));
  // the record first: whatever happens after this, the next start can undo it
  const record: RealNodeRecord = {
    id: plan.id,
    netns: plan.netns,
    cgroup: plan.cgroup,
    stackDir: input.stackDir,
    owner: identityOf(process.pid),
    holder: null,
    createdAt: new Date().toISOString(),
  };
  writeRecord(record);
  let tornDown = false;
  const teardown = async () => {
    if (tornDown) return;
    tornDown = true;
    await teardownRealNode(record);
  };
  try {
    createNodeCgroup(plan.cgroup);
    await createNodeNetwork(plan);
    const kubeletClient = await writeNodeFiles(plan, input.pki);
    input.log(
      `[real-node] network namespace ${plan.netns}, cgroup ${plan.cgroup}, node ${plan.nodeName} at ${plan.nodeIp}`,
    );
    return {
      plan,
      record,
      apiServerFlags: apiServerFlags(plan, kubeletClient),
      startRelay: (start) => startRelay(plan, tools, start),
      start: (context) => startNode(plan, tools, record, context),
      detach: () => {
        record.owner = null;
        writeRecord(record);
      },
      teardown,
    };
  } catch (error) {
    await teardown();
    throw error;
  }
}

/** Names, addresses and paths of one node; `id` makes its namespace and cgroup names unique. */
function planNode(input: PrepareInput, tools: NodeTools, id: string): NodePlan {
  const name = `${NAME_PREFIX}${id}`;
  return {
    id,
    nodeName: NODE_NAME,
    netns: name,
    cgroup: name,
    dir: join(input.stackDir, 'node'),
    nodeIp: NODE_IP,
    podCidr: POD_CIDR,
    serviceCidr: input.serviceCidr,
    clusterDomain: CLUSTER_DOMAIN,
    bridge: BRIDGE,
    apiServerUrl: input.apiServerUrl,
    registry: input.registry,
    sandboxImage: `${input.registry}/${PAUSE_REPOSITORY}:${nodeToolsVersion()}`,
    caFile: input.pki.caCert,
    runcPath: tools.runc,
    cniBinDir: tools.cniBinDir,
  };
}

/** Certificates, kubeconfigs and config files; returns the API server's client identity at the kubelet. */
async function writeNodeFiles(plan: NodePlan, pki: StackPki) {
  const paths = nodePaths(plan.dir);
  for (const dir of [
    paths.cniConfDir,
    paths.cniDataDir,
    paths.kubeletRoot,
    paths.podLogs,
    paths.sysctlMasks,
  ]) {
    mkdirSync(dir, { recursive: true });
  }
  const certDir = join(plan.dir, 'pki');
  mkdirSync(certDir, { mode: 0o700 });
  const [kubelet, kubeProxy, coredns, apiServerToKubelet] = await Promise.all([
    issueLeaf(certDir, pki.caCert, pki.caKey, {
      name: 'kubelet',
      subject: `/O=system:nodes/CN=system:node:${plan.nodeName}`,
      usage: 'clientAuth',
    }),
    issueLeaf(certDir, pki.caCert, pki.caKey, {
      name: 'kube-proxy',
      subject: '/CN=system:kube-proxy', // bound to system:node-proxier by default
      usage: 'clientAuth',
    }),
    issueLeaf(certDir, pki.caCert, pki.caKey, {
      name: 'coredns',
      subject: `/CN=${COREDNS_USER}`,
      usage: 'clientAuth',
    }),
    issueLeaf(certDir, pki.caCert, pki.caKey, {
      name: 'kube-apiserver-kubelet-client',
      subject: '/O=system:masters/CN=kube-apiserver-kubelet-client',
      usage: 'clientAuth',
    }),
  ]);
  const write = (path: string, text: string) => writeFileSync(path, text, { mode: 0o600 });
  write(
    paths.kubeletKubeconfig,
    kubeconfigYaml(`system:node:${plan.nodeName}`, plan.apiServerUrl, pki, kubelet),
  );
  write(paths.kubeProxyKubeconfig, kubeconfigYaml('system:kube-proxy', plan.apiServerUrl, pki, kubeProxy));
  write(paths.corednsKubeconfig, kubeconfigYaml(COREDNS_USER, plan.apiServerUrl, pki, coredns));
  write(paths.containerdConfig, containerdConfig(plan));
  write(join(paths.cniConfDir, '10-greenlight.conflist'), cniConflist(plan));
  write(paths.kubeletConfig, kubeletConfig(plan));
  write(paths.kubeProxyConfig, kubeProxyConfig(plan));
  write(paths.corefile, corefile(plan));
  write(paths.egressSelector, egressSelectorConfig(plan));
  write(paths.holderScript, holderScript(plan));
  return apiServerToKubelet;
}

const COREDNS_USER = 'greenlight:coredns';

async function startRelay(plan: NodePlan, tools: NodeTools, start: StartFn): Promise<void> {
  const hostPort = (url: string) => new URL(url.includes('://') ? url : `tcp://${url}`).port;
  const api = hostPort(plan.apiServerUrl);
  const registry = hostPort(plan.registry);
  const relay = start(
    'relay',
    ...inNodeCgroup(plan.cgroup, tools.relay, [
      `--netns=/run/netns/${plan.netns}`,
      `--out-of-netns=127.0.0.1:${api}=127.0.0.1:${api}`,
      `--out-of-netns=127.0.0.1:${registry}=127.0.0.1:${registry}`,
      `--connect-proxy=${nodePaths(plan.dir).egressSocket}`,
      `--allow=${plan.podCidr}`,
      `--allow=${plan.serviceCidr}`,
    ]),
  );
  await waitUntilReady(relay, 'listening', async () => logHas(relay, '{"ready":true}'), 10_000, 50);
}

function logHas(proc: RunningProcess, text: string): boolean {
  return existsSync(proc.log) && readFileSync(proc.log, 'utf8').includes(text);
}

async function startNode(
  plan: NodePlan,
  tools: NodeTools,
  record: RealNodeRecord,
  context: NodeStartContext,
): Promise<RealNodeInfo> {
  const t0 = Date.now();
  const log = (line: string) => context.log(`[real-node +${((Date.now() - t0) / 1000).toFixed(1)}s] ${line}`);
  const holderPid = await startMountNamespace(plan, tools, context, log);
  record.holder = identityOf(holderPid);
  writeRecord(record);
  const inNode = (name: string, command: string, args: string[]) =>
    context.start(
      name,
      ...inNodeCgroup(plan.cgroup, 'nsenter', [
        `--target=${holderPid}`,
        '--mount',
        '--net',
        '--',
        command,
        ...args,
      ]),
    );
  const paths = nodePaths(plan.dir);
  const containerd = inNode('containerd', tools.containerd, [`--config=${paths.containerdConfig}`]);
  const answers = async () =>
    (
      await run(tools.ctr, [`--address=${paths.containerdSocket}`, 'version'], {
        allowFailure: true,
        timeoutMs: 5000,
      })
    ).code === 0;
  await waitUntilReady(containerd, 'answering on its socket', answers, 30_000, 100);
  log('containerd ready');

  const kubelet = inNode('kubelet', tools.kubelet, kubeletFlags(plan));
  const kubeProxy = inNode('kube-proxy', tools.kubeProxy, [`--config=${paths.kubeProxyConfig}`, '--v=1']);
  const coredns = inNode('coredns', tools.coredns, ['-conf', paths.corefile]);
  const answersInNamespace = (port: number, path: string) => async () =>
    (await fetchInNamespace(plan.netns, `http://127.0.0.1:${port}${path}`, { timeoutMs: 2000 })).status ===
    200;
  await Promise.all([
    waitUntilReady(
      kubelet,
      `Node ${plan.nodeName} Ready`,
      () => nodeReady(context.api, plan.nodeName),
      60_000,
      200,
    ).then(() => log(`node ${plan.nodeName} Ready`)),
    waitUntilReady(
      kubeProxy,
      'healthy (/healthz)',
      answersInNamespace(KUBE_PROXY_HEALTH_PORT, '/healthz'),
      60_000,
      200,
    ).then(() => log('kube-proxy healthy')),
    waitUntilReady(
      coredns,
      'ready (/ready)',
      answersInNamespace(COREDNS_READY_PORT, '/ready'),
      60_000,
      200,
    ).then(() => log('CoreDNS ready')),
  ]);
  return {
    nodeName: plan.nodeName,
    nodeIp: plan.nodeIp,
    netns: plan.netns,
    podCidr: plan.podCidr,
    serviceCidr: plan.serviceCidr,
    clusterDomain: plan.clusterDomain,
    cgroup: plan.cgroup,
    relayPath: tools.relay,
    dir: plan.dir,
  };
}

/**
 * The holder makes the node's mount namespace and keeps it (every node process
 * joins it); meanwhile the sandbox image goes to the registry and CoreDNS gets
 * its role. Returns the holder's pid: nsenter, unshare and sh each exec the
 * next, so it keeps the pid it was started with.
 */
async function startMountNamespace(
  plan: NodePlan,
  tools: NodeTools,
  context: NodeStartContext,
  log: (line: string) => void,
): Promise<number> {
  const holder = context.start(
    'node-namespace',
    ...inNodeCgroup(plan.cgroup, 'nsenter', [
      `--net=/run/netns/${plan.netns}`,
      '--',
      'unshare',
      '--mount',
      '--propagation',
      'slave',
      '--',
      'sh',
      nodePaths(plan.dir).holderScript,
    ]),
  );
  await Promise.all([
    pushPauseImage(plan, tools).then(() => log(`pause image pushed: ${plan.sandboxImage}`)),
    grantCoreDns(context.api),
    waitUntilReady(holder, 'mount namespace set up', async () => logHas(holder, 'ready\n'), 10_000, 50),
  ]);
  return holder.pid;
}

/** The registry is new with every stack: put the sandbox image in it before containerd needs it. */
async function pushPauseImage(plan: NodePlan, tools: NodeTools): Promise<void> {
  await run(
    tools.skopeo,
    [
      'copy',
      '--quiet',
      '--dest-tls-verify=false',
      `oci-archive:${tools.pauseArchive}`,
      `docker://${plan.sandboxImage}`,
    ],
    { timeoutMs: 60_000 },
  );
}

/** CoreDNS's kubernetes plugin reads Services, EndpointSlices, Pods and Namespaces. */
async function grantCoreDns(api: NodeStartContext['api']): Promise<void> {
  const role = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: COREDNS_USER },
    rules: [
      {
        apiGroups: [''],
        resources: ['endpoints', 'services', 'pods', 'namespaces'],
        verbs: ['list', 'watch'],
      },
      { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['list', 'watch'] },
    ],
  };
  const binding = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: COREDNS_USER },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: COREDNS_USER },
    subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: COREDNS_USER }],
  };
  for (const [path, body] of [
    ['/apis/rbac.authorization.k8s.io/v1/clusterroles', role],
    ['/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', binding],
  ] as const) {
    const res = await api(path, { method: 'POST', body: JSON.stringify(body) });
    if (res.status !== 201)
      throw new Error(`creating ${body.kind} ${COREDNS_USER}: HTTP ${res.status} ${res.body}`);
  }
}

async function nodeReady(api: NodeStartContext['api'], name: string): Promise<boolean> {
  const res = await api(`/api/v1/nodes/${name}`);
  if (res.status !== 200) return false;
  const node = JSON.parse(res.body) as { status?: { conditions?: { type: string; status: string }[] } };
  return node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}
