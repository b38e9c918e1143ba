/**
 * The stack's options for the benchmarks (bench/): an audit log under a real policy, a
 * fixed pod-ready delay, the controllers' client rate limits lifted, a wider Service IP range. A stack of its
 * own (the shared one keeps the defaults, checked here too); every assertion reads what
 * the API server, kwok or the kernel recorded.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { kubectl, waitFor } from '../stack/helpers.ts';
import { type RunningStack, startStack } from '../stack/stack.ts';
import '../stack/types.ts';

const DELAY_MS = 4000;

interface AuditLine {
  stage: string;
  verb: string;
  user: { username: string };
  objectRef?: { resource?: string; namespace?: string };
}

describe('stack options for the benchmarks', () => {
  let stack: RunningStack;
  beforeAll(async () => {
    stack = await startStack({
      label: 'greenlight-test-bench-stack',
      podReadyDelayMs: DELAY_MS,
      auditLog: true,
      unlimitedControllerQps: true,
      serviceClusterIpRange: '10.96.0.0/16',
    });
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
  });

  it('keeps the shared stack at its defaults: no audit log', () => {
    expect(inject('stack').logs.audit).toBeUndefined();
  });

  it('makes a pod without a ready-delay annotation Ready only after the configured delay', async () => {
    await kubectl(stack.info, ['create', 'namespace', 'delay']);
    await waitFor('ServiceAccount delay/default', async () =>
      (await kubectl(stack.info, ['get', 'sa', 'default', '-n', 'delay'], { allowFailure: true })).code === 0
        ? true
        : undefined,
    );
    await kubectl(stack.info, ['run', 'p', '-n', 'delay', '--image=127.0.0.1:5000/x:1', '--restart=Never']);
    const pod = await waitFor('pod delay/p Ready', async () => {
      const res = await kubectl(stack.info, ['get', 'pod', 'p', '-n', 'delay', '-o', 'json']);
      const parsed = JSON.parse(res.stdout) as {
        metadata: { creationTimestamp: string };
        status: { conditions?: { type: string; status: string; lastTransitionTime: string }[] };
      };
      return parsed.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')
        ? parsed
        : undefined;
    });
    const ready = pod.status.conditions?.find((c) => c.type === 'Ready')?.lastTransitionTime ?? '';
    // timestamps have whole seconds: a delay of 4 s shows as at least 3 (the default, 1 s, as 1 or 2)
    const seconds = (Date.parse(ready) - Date.parse(pod.metadata.creationTimestamp)) / 1000;
    expect(seconds).toBeGreaterThanOrEqual(3);
  });

  it("writes an audit log with a client's requests, a watch apart from a list, and none of the cluster's own", async () => {
    await kubectl(stack.info, ['get', 'configmaps', '-n', 'kube-system']);
    await kubectl(stack.info, ['get', 'configmaps', '-n', 'kube-system', '--watch', '--request-timeout=1s'], {
      allowFailure: true,
    });
    const path = stack.info.logs.audit ?? '';
    const lines = readFileSync(path, 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as AuditLine);
    const mine = lines.filter(
      (l) =>
        l.user.username === 'greenlight-admin' &&
        l.objectRef?.resource === 'configmaps' &&
        l.objectRef.namespace === 'kube-system',
    );
    expect(
      mine.filter((l) => l.verb === 'list' && l.stage === 'ResponseComplete').length,
    ).toBeGreaterThanOrEqual(2);
    expect(mine.some((l) => l.verb === 'watch' && l.stage === 'ResponseStarted')).toBe(true);
    expect(lines.some((l) => l.stage === 'RequestReceived')).toBe(false);
    const users = new Set(lines.map((l) => l.user.username));
    for (const component of ['system:kube-controller-manager', 'system:kube-scheduler', 'kwok-controller']) {
      expect(users.has(component)).toBe(false);
    }
  });

  it('allocates Service IPs from the wider range it was given', async () => {
    await kubectl(stack.info, ['create', 'service', 'clusterip', 'wide', '--tcp=80:8080', '-n', 'default']);
    const ip = (
      await kubectl(stack.info, [
        'get',
        'service',
        'wide',
        '-n',
        'default',
        '-o',
        'jsonpath={.spec.clusterIP}',
      ])
    ).stdout;
    expect(ip).toMatch(/^10\.96\.\d+\.\d+$/);
  });

  it('starts the controller manager and the scheduler without client-side rate limits', () => {
    for (const name of ['kube-controller-manager', 'kube-scheduler']) {
      const pid = stack.state.processes.find((p) => p.name === name)?.pid;
      const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      expect(args).toContain('--kube-api-qps=5000');
      expect(args).toContain('--kube-api-burst=10000');
    }
  });
});
