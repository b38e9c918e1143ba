/**
 * The real node's configuration files, as pure functions of a {@link NodePlan}:
 * containerd, the CNI network, kubelet, kube-proxy, CoreDNS, the API server's
 * egress selector, the guard rules of the node's network namespace, and the
 * script that sets up the node's mount namespace. Nothing here touches the
 * machine; `node.ts` writes these files and starts the processes.
 */

/** Everything the node's configuration depends on. Paths are absolute. */
export interface NodePlan {
  /** short random id: names the network namespace and the cgroup (`greenlight-<id>`) */
  id: string;
  nodeName: string;
  /** the network namespace (`ip netns` name) holding the node, its bridge, pods and Services */
  netns: string;
  /** the cgroup (in every hierarchy) holding the node's processes and, below it, the pods */
  cgroup: string;
  /** the node's directory inside the stack's temp dir */
  dir: string;
  /** the bridge's address: the node's InternalIP, the pods' gateway and CoreDNS's address */
  nodeIp: string;
  podCidr: string;
  serviceCidr: string;
  clusterDomain: string;
  bridge: string;
  /** https://127.0.0.1:PORT: the same address inside the namespace (through the relay) as on the host */
  apiServerUrl: string;
  /** 127.0.0.1:PORT, likewise */
  registry: string;
  sandboxImage: string;
  caFile: string;
  /** Debian's runc and CNI plugins */
  runcPath: string;
  cniBinDir: string;
}

export const NODE_NAME = 'greenlight-node';
export const POD_CIDR = '10.88.0.0/24';
export const NODE_IP = '10.88.0.1';
export const BRIDGE = 'cni0';
export const CLUSTER_DOMAIN = 'cluster.local';
/** Inside the namespace only: CoreDNS's readiness and kube-proxy's health ports. */
export const COREDNS_READY_PORT = 8181;
export const KUBE_PROXY_HEALTH_PORT = 10256;
export const KUBELET_PORT = 10250;

/** Where each file and directory of the node lives, under `plan.dir`. */
export function nodePaths(dir: string) {
  return {
    containerdConfig: `${dir}/containerd.toml`,
    containerdRoot: `${dir}/containerd/root`,
    containerdState: `${dir}/containerd/state`,
    containerdSocket: `${dir}/containerd/containerd.sock`,
    cniConfDir: `${dir}/cni/net.d`,
    cniDataDir: `${dir}/cni/ipam`,
    kubeletRoot: `${dir}/kubelet`,
    kubeletConfig: `${dir}/kubelet.json`,
    kubeletKubeconfig: `${dir}/kubelet.kubeconfig`,
    podLogs: `${dir}/pod-logs`,
    kubeProxyConfig: `${dir}/kube-proxy.json`,
    kubeProxyKubeconfig: `${dir}/kube-proxy.kubeconfig`,
    corefile: `${dir}/Corefile`,
    corednsKubeconfig: `${dir}/coredns.kubeconfig`,
    egressSelector: `${dir}/egress-selector.yaml`,
    /** the relay's HTTP CONNECT socket: the API server's way to the kubelet (logs, exec, port-forward) */
    egressSocket: `${dir}/egress.sock`,
    /** copies of the kernel settings kubelet writes, bind-mounted over /proc/sys inside the node */
    sysctlMasks: `${dir}/sysctl`,
    holderScript: `${dir}/mount-namespace.sh`,
  };
}

/** containerd 1.6 (config version 2): its own root, state and socket, runc with cgroupfs, our CNI dir. */
export function containerdConfig(plan: NodePlan): string {
  const paths = nodePaths(plan.dir);
  const cri = '[plugins."io.containerd.grpc.v1.cri"';
  return `${[
    'version = 2',
    `root = ${toml(paths.containerdRoot)}`,
    `state = ${toml(paths.containerdState)}`,
    // the opt plugin would create /opt/containerd on the host; tracing and the other
    // snapshotters are not used here
    'disabled_plugins = ["io.containerd.internal.v1.opt", "io.containerd.tracing.processor.v1.otlp", "io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.zfs"]',
    '',
    '[grpc]',
    `  address = ${toml(paths.containerdSocket)}`,
    '',
    '[debug]',
    '  address = ""',
    '',
    '[metrics]',
    '  address = ""',
    '',
    `${cri}]`,
    `  sandbox_image = ${toml(plan.sandboxImage)}`,
    // root here lacks CAP_SYS_RESOURCE: containers may not get a lower OOM score than containerd's
    '  restrict_oom_score_adj = true',
    '  stream_server_address = "127.0.0.1"',
    '  stream_server_port = "0"',
    '  enable_selinux = false',
    '  max_container_log_line_size = 16384',
    '',
    `${cri}.containerd]`,
    '  snapshotter = "overlayfs"',
    '  default_runtime_name = "runc"',
    '',
    `${cri}.containerd.runtimes.runc]`,
    '  runtime_type = "io.containerd.runc.v2"',
    '',
    `${cri}.containerd.runtimes.runc.options]`,
    `  BinaryName = ${toml(plan.runcPath)}`,
    '  SystemdCgroup = false',
    '',
    `${cri}.cni]`,
    `  bin_dir = ${toml(plan.cniBinDir)}`,
    `  conf_dir = ${toml(paths.cniConfDir)}`,
    '  max_conf_num = 1',
  ].join('\n')}\n`;
}

function toml(value: string): string {
  return JSON.stringify(value); // a TOML basic string has JSON's escapes
}

/** One bridge network with host-local addresses; the bridge (made beforehand) is the pods' gateway. */
export function cniConflist(plan: NodePlan): string {
  return `${JSON.stringify(
    {
      cniVersion: '1.0.0',
      name: 'greenlight',
      plugins: [
        {
          type: 'bridge',
          bridge: plan.bridge,
          isGateway: true,
          ipMasq: false,
          hairpinMode: true,
          ipam: {
            type: 'host-local',
            dataDir: nodePaths(plan.dir).cniDataDir,
            ranges: [[{ subnet: plan.podCidr, gateway: plan.nodeIp }]],
            routes: [{ dst: '0.0.0.0/0' }],
          },
        },
        { type: 'portmap', capabilities: { portMappings: true } },
      ],
    },
    null,
    2,
  )}\n`;
}

/** KubeletConfiguration (JSON is YAML): cgroup v1 with cgroupfs under the node's own cgroup, no swap check, webhook auth. */
export function kubeletConfig(plan: NodePlan): string {
  const paths = nodePaths(plan.dir);
  return `${JSON.stringify(
    {
      apiVersion: 'kubelet.config.k8s.io/v1beta1',
      kind: 'KubeletConfiguration',
      address: plan.nodeIp,
      port: KUBELET_PORT,
      readOnlyPort: 0,
      healthzBindAddress: '127.0.0.1',
      healthzPort: 10248,
      authentication: {
        anonymous: { enabled: false },
        webhook: { enabled: true, cacheTTL: '10s' },
        x509: { clientCAFile: plan.caFile },
      },
      authorization: { mode: 'Webhook' },
      containerRuntimeEndpoint: `unix://${paths.containerdSocket}`,
      cgroupDriver: 'cgroupfs',
      cgroupRoot: `/${plan.cgroup}`,
      // this machine has a hybrid cgroup v1 layout: kubelet 1.34 only warns with this
      failCgroupV1: false,
      failSwapOn: false,
      // lowering its own OOM score needs CAP_SYS_RESOURCE, which root lacks here
      oomScoreAdj: 0,
      clusterDomain: plan.clusterDomain,
      // CoreDNS answers on the node's address (host network), so pods need no kube-dns Service
      clusterDNS: [plan.nodeIp],
      // the host's resolv.conf names resolvers outside; pods get only the cluster's
      resolvConf: '',
      podLogsDir: paths.podLogs,
      volumePluginDir: `${paths.kubeletRoot}/volume-plugins`,
      // test data on a shared disk: never evict pods or delete images because the disk is busy
      evictionHard: {
        'memory.available': '100Mi',
        'nodefs.available': '1%',
        'nodefs.inodesFree': '1%',
        'imagefs.available': '1%',
      },
      imageGCHighThresholdPercent: 100,
      imageGCLowThresholdPercent: 99,
      serializeImagePulls: false,
      nodeStatusReportFrequency: '10s',
      shutdownGracePeriod: '0s',
      maxPods: 110,
    },
    null,
    2,
  )}\n`;
}

/** kubelet's command-line flags (what its config file cannot say). */
export function kubeletFlags(plan: NodePlan): string[] {
  const paths = nodePaths(plan.dir);
  return [
    `--config=${paths.kubeletConfig}`,
    `--kubeconfig=${paths.kubeletKubeconfig}`,
    `--root-dir=${paths.kubeletRoot}`,
    // its default is /var/lib/kubelet/pki whatever --root-dir says
    `--cert-dir=${paths.kubeletRoot}/pki`,
    `--hostname-override=${plan.nodeName}`,
    // the bridge's address: kubelet refuses a loopback node IP
    `--node-ip=${plan.nodeIp}`,
    '--v=1',
  ];
}

/** kube-proxy in iptables mode; it leaves the host-wide conntrack table size alone and keeps its ports on loopback. */
export function kubeProxyConfig(plan: NodePlan): string {
  return `${JSON.stringify(
    {
      apiVersion: 'kubeproxy.config.k8s.io/v1alpha1',
      kind: 'KubeProxyConfiguration',
      clientConnection: { kubeconfig: nodePaths(plan.dir).kubeProxyKubeconfig },
      mode: 'iptables',
      hostnameOverride: plan.nodeName,
      clusterCIDR: plan.podCidr,
      healthzBindAddress: `127.0.0.1:${KUBE_PROXY_HEALTH_PORT}`,
      metricsBindAddress: '127.0.0.1:10249',
      // nf_conntrack_max is one setting for the whole machine: do not touch it (0 = leave as is)
      conntrack: { maxPerCore: 0, tcpEstablishedTimeout: '0s', tcpCloseWaitTimeout: '0s' },
      iptables: { localhostNodePorts: false, masqueradeAll: false },
    },
    null,
    2,
  )}\n`;
}

/** CoreDNS on the node's address: the cluster's zones from the API, nothing forwarded anywhere. */
export function corefile(plan: NodePlan): string {
  return `${[
    '.:53 {',
    `  bind ${plan.nodeIp}`,
    `  ready 127.0.0.1:${COREDNS_READY_PORT}`,
    '  health 127.0.0.1:8080',
    '  errors',
    `  kubernetes ${plan.clusterDomain} in-addr.arpa ip6.arpa {`,
    `    kubeconfig ${nodePaths(plan.dir).corednsKubeconfig}`,
    '    pods insecure',
    '    ttl 5',
    '  }',
    '  cache 5',
    '}',
  ].join('\n')}\n`;
}

/** The API server reaches the cluster (kubelet, pods, Services) through the relay's CONNECT socket. */
export function egressSelectorConfig(plan: NodePlan): string {
  return `${[
    'apiVersion: apiserver.k8s.io/v1beta1',
    'kind: EgressSelectorConfiguration',
    'egressSelections:',
    '- name: cluster',
    '  connection:',
    '    proxyProtocol: HTTPConnect',
    '    transport:',
    '      uds:',
    `        udsName: ${nodePaths(plan.dir).egressSocket}`,
  ].join('\n')}\n`;
}

/** The API server flags the real node needs (egress into the namespace, its client identity at the kubelet). */
export function apiServerFlags(plan: NodePlan, kubeletClient: { cert: string; key: string }): string[] {
  return [
    `--egress-selector-config-file=${nodePaths(plan.dir).egressSelector}`,
    `--kubelet-client-certificate=${kubeletClient.cert}`,
    `--kubelet-client-key=${kubeletClient.key}`,
    '--kubelet-preferred-address-types=InternalIP',
  ];
}

export const GUARD_CHAIN = 'GREENLIGHT-GUARD';

/**
 * iptables-restore input for the namespace's guard: whatever leaves through any
 * interface other than loopback or the bridge towards the pod network is dropped
 * and counted. The namespace has no other interface and no route out today; the
 * guard keeps it so if one appears. It sits in the mangle table's POSTROUTING,
 * which kube-proxy does not write, after every DNAT and for local and forwarded
 * traffic alike.
 */
export function guardRules(plan: NodePlan): { ipv4: string; ipv6: string } {
  const chain = (allow: string[]) =>
    [
      '*mangle',
      `:${GUARD_CHAIN} - [0:0]`,
      `-A POSTROUTING -m comment --comment "greenlight: nothing leaves the node's namespace" -j ${GUARD_CHAIN}`,
      `-A ${GUARD_CHAIN} -o lo -j RETURN`,
      ...allow.map((rule) => `-A ${GUARD_CHAIN} ${rule} -j RETURN`),
      `-A ${GUARD_CHAIN} -j DROP`,
      'COMMIT',
      '',
    ].join('\n');
  return {
    ipv4: chain([`-o ${plan.bridge} -d ${plan.podCidr}`]),
    // link-local neighbour discovery between the pods on the bridge, nothing routed
    ipv6: chain([`-o ${plan.bridge} -d fe80::/10`, `-o ${plan.bridge} -d ff02::/16`]),
  };
}

/** The kernel settings kubelet sets for the whole machine; inside the node it writes copies instead. */
export const MASKED_SYSCTLS = [
  'kernel/panic',
  'kernel/panic_on_oops',
  'kernel/keys/root_maxkeys',
  'kernel/keys/root_maxbytes',
  'vm/overcommit_memory',
  'vm/panic_on_oom',
] as const;

/**
 * The shell script of the node's mount-namespace holder: run with the node's
 * network namespace entered and a new mount namespace (slave of the host's), it
 * sets up what containerd and kubelet see, then sleeps. Every mount it and the
 * node make stays in that namespace and goes away with its last process.
 *
 * - a sysfs of the node's network namespace (as `ip netns exec` mounts), with the
 *   host's cgroup hierarchies on it;
 * - a private /run (containerd's shim sockets and runc's state live under
 *   /run/containerd whatever its config says; the pods' netns files under /run/netns);
 * - private /var/log/containers, /var/lib/cni and /var/lib/kubelet (fixed paths of kubelet,
 *   its device-plugin socket, and libcni; kubelet's own files are under its --root-dir);
 * - copies of the kernel settings kubelet writes, over /proc/sys.
 */
export function holderScript(plan: NodePlan): string {
  const paths = nodePaths(plan.dir);
  const cgroupKeep = `${plan.dir}/host-cgroup`;
  return `${[
    'set -eu',
    `mkdir -p ${cgroupKeep}`,
    `mount --rbind /sys/fs/cgroup ${cgroupKeep}`,
    'mount -t sysfs greenlight-node-sys /sys',
    `mount --rbind ${cgroupKeep} /sys/fs/cgroup`,
    `umount -l ${cgroupKeep}`,
    'mount -t tmpfs -o mode=0755 greenlight-node-run /run',
    'mkdir -p /run/netns /run/containerd',
    'for d in /var/log/containers /var/lib/cni /var/lib/kubelet; do mkdir -p "$d"; mount -t tmpfs -o mode=0755 greenlight-node "$d"; done',
    `mkdir -p ${paths.sysctlMasks}`,
    ...MASKED_SYSCTLS.map((key) => {
      const copy = `${paths.sysctlMasks}/${key.replaceAll('/', '.')}`;
      return `cat /proc/sys/${key} > ${copy} && mount --bind ${copy} /proc/sys/${key}`;
    }),
    'echo ready',
    'exec sleep infinity',
  ].join('\n')}\n`;
}
