/**
 * The real node's configuration (test/stack/real-nodes/config.ts), checked for
 * the properties its containment rests on: every file a daemon writes is under
 * the node's own dir, every port it opens is on loopback or the node's address
 * inside its namespace, nothing resolves or routes to the outside, and the guard
 * drops whatever is not for the pods.
 */
import { describe, expect, it } from 'vitest';
import {
  containerdConfig,
  corefile,
  guardRules,
  holderScript,
  kubeletConfig,
  kubeletFlags,
  kubeProxyConfig,
  MASKED_SYSCTLS,
  type NodePlan,
  nodePaths,
} from '../stack/real-nodes/config.ts';

const plan: NodePlan = {
  id: '0123abcd',
  nodeName: 'greenlight-node',
  netns: 'glnode-0123abcd',
  cgroup: 'glnode-0123abcd',
  dir: '/tmp/greenlight-stack-x/node',
  nodeIp: '10.88.0.1',
  podCidr: '10.88.0.0/24',
  serviceCidr: '10.0.0.0/24',
  clusterDomain: 'cluster.local',
  bridge: 'cni0',
  apiServerUrl: 'https://127.0.0.1:40000',
  registry: '127.0.0.1:40001',
  sandboxImage: '127.0.0.1:40001/greenlight/pause:abc',
  caFile: '/tmp/greenlight-stack-x/pki/ca.crt',
  runcPath: '/usr/sbin/runc',
  cniBinDir: '/usr/lib/cni',
};

/** Every absolute path in a text (quoted or bare). */
function pathsIn(text: string): string[] {
  return [...text.matchAll(/(?<![\w.:])\/[\w./-]+/g)].map((m) => m[0]);
}

function stringsIn(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringsIn);
  if (value && typeof value === 'object') return Object.values(value).flatMap(stringsIn);
  return [];
}

describe('containerd', () => {
  const config = containerdConfig(plan);

  it('keeps its root, state, socket and CNI config under the node dir; only runc and the CNI plugins are Debian paths', () => {
    const outside = pathsIn(config).filter((path) => !path.startsWith(`${plan.dir}/`));
    expect(outside.sort()).toEqual(['/usr/lib/cni', '/usr/sbin/runc']);
  });

  it('takes its sandbox image from the stack registry, runs runc with cgroupfs and clamps OOM scores (no CAP_SYS_RESOURCE)', () => {
    expect(config).toContain('sandbox_image = "127.0.0.1:40001/greenlight/pause:abc"');
    expect(config).toMatch(/^ {2}SystemdCgroup = false$/m);
    expect(config).toMatch(/^ {2}restrict_oom_score_adj = true$/m);
    // the opt plugin would create /opt/containerd on the host
    expect(config).toMatch(/disabled_plugins = \[[^\]]*"io\.containerd\.internal\.v1\.opt"/);
    expect(config).toContain('stream_server_address = "127.0.0.1"');
  });
});

describe('kubelet', () => {
  const config = JSON.parse(kubeletConfig(plan)) as Record<string, unknown>;

  it('writes only under the node dir and reads only the stack CA', () => {
    const { cgroupRoot: _cgroup, ...files } = config; // a cgroup path, not a file
    const paths = stringsIn(files).filter((value) => value.startsWith('/') || value.startsWith('unix://'));
    const flagPaths = kubeletFlags(plan)
      .map((flag) => flag.split('=')[1] ?? '')
      .filter((value) => value.startsWith('/'));
    paths.push(...flagPaths);
    expect(flagPaths.map((path) => path.slice(plan.dir.length))).toEqual([
      '/kubelet.json',
      '/kubelet.kubeconfig',
      '/kubelet',
      '/kubelet/pki',
    ]);
    for (const path of paths) {
      expect(path === plan.caFile || path.replace('unix://', '').startsWith(`${plan.dir}/`), path).toBe(true);
    }
  });

  it('puts pods in the node cgroup, serves on the node address, and gives pods only the cluster resolver', () => {
    expect(config.cgroupRoot).toBe(`/${plan.cgroup}`);
    expect(config.cgroupDriver).toBe('cgroupfs');
    expect(config.address).toBe(plan.nodeIp);
    expect(config.healthzBindAddress).toBe('127.0.0.1');
    expect(config.readOnlyPort).toBe(0);
    expect(config.clusterDNS).toEqual([plan.nodeIp]);
    expect(config.resolvConf).toBe('');
    expect(config.authentication).toMatchObject({ anonymous: { enabled: false } });
    expect(config.authorization).toEqual({ mode: 'Webhook' });
  });
});

describe('kube-proxy', () => {
  const config = JSON.parse(kubeProxyConfig(plan)) as {
    healthzBindAddress: string;
    metricsBindAddress: string;
    conntrack: Record<string, unknown>;
    iptables: Record<string, unknown>;
    mode: string;
  };

  it('opens its ports on loopback and leaves the machine-wide conntrack table alone', () => {
    expect(config.mode).toBe('iptables');
    expect(config.healthzBindAddress).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(config.metricsBindAddress).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(config.conntrack.maxPerCore).toBe(0);
    expect(config.iptables.localhostNodePorts).toBe(false);
  });
});

describe('CoreDNS', () => {
  const text = corefile(plan);

  it('answers on the node address only, for the cluster zones, and forwards nothing', () => {
    expect(text).toMatch(/^ {2}bind 10\.88\.0\.1$/m);
    expect(text).toMatch(/^ {2}kubernetes cluster\.local in-addr\.arpa ip6\.arpa \{$/m);
    expect(text).not.toMatch(/forward|proxy|upstream/);
    expect(text).toContain(`kubeconfig ${nodePaths(plan.dir).corednsKubeconfig}`);
  });
});

describe('the namespace guard', () => {
  it('lets out only loopback and the bridge towards the pods, and drops the rest last', () => {
    const { ipv4, ipv6 } = guardRules(plan);
    const rules = (text: string) => text.split('\n').filter((line) => line.startsWith('-A GREENLIGHT-GUARD'));
    expect(rules(ipv4)).toEqual([
      '-A GREENLIGHT-GUARD -o lo -j RETURN',
      '-A GREENLIGHT-GUARD -o cni0 -d 10.88.0.0/24 -j RETURN',
      '-A GREENLIGHT-GUARD -j DROP',
    ]);
    expect(rules(ipv6).at(-1)).toBe('-A GREENLIGHT-GUARD -j DROP');
    for (const text of [ipv4, ipv6]) {
      expect(text).toMatch(/^\*mangle\n/);
      expect(text).toMatch(/-A POSTROUTING .*-j GREENLIGHT-GUARD/);
      expect(text.trimEnd().endsWith('COMMIT')).toBe(true);
    }
  });
});

describe('the mount-namespace holder', () => {
  const script = holderScript(plan);

  it("masks every kernel setting kubelet writes with a copy in the node dir, so the machine's stay as they are", () => {
    for (const key of MASKED_SYSCTLS) {
      const copy = `${nodePaths(plan.dir).sysctlMasks}/${key.replaceAll('/', '.')}`;
      expect(script).toContain(`cat /proc/sys/${key} > ${copy} && mount --bind ${copy} /proc/sys/${key}`);
    }
  });

  it('mounts only over /sys, /run, /var/log/containers, /var/lib/cni, /var/lib/kubelet and those settings, inside its own namespace', () => {
    const targets = script
      .split('\n')
      .filter((line) => line.includes('mount ') && !line.startsWith('umount'))
      .map((line) => line.split(';').find((part) => part.includes('mount ')) ?? line)
      .map((part) => part.trim().split(' ').at(-1));
    const allowed = new Set([
      `${plan.dir}/host-cgroup`,
      '/sys',
      '/sys/fs/cgroup',
      '/run',
      '"$d"',
      ...MASKED_SYSCTLS.map((key) => `/proc/sys/${key}`),
    ]);
    for (const target of targets) expect(allowed.has(target ?? ''), target).toBe(true);
    expect(script).toMatch(/exec sleep infinity\n$/);
  });
});
