/**
 * The test Job in a group's namespace: created, watched (Job and pods, resumed from the
 * last resourceVersion when cut), its pod's log read, deleted with Foreground propagation
 * and waited for until the Job and its pods are gone.
 */
import type { V1Job, V1Pod } from '@kubernetes/client-node';
import { EngineError } from '../core/errors.ts';
import type { TestJobs } from '../core/ports.ts';
import type { JobObservation, TestJobSpec } from '../core/testing.ts';
import { type KubeClient, KubeError, kubeCall, kubeCreate, kubeRead } from './client.ts';
import { jobManifest, TEST_CONTAINER } from './manifests.ts';
import { LABEL_MANAGED_BY, LABEL_TEST_RUN, MANAGED_BY } from './model.ts';
import { observePod } from './observe.ts';
import { ChangeSignal, keepWatching } from './watch.ts';

const GONE_POLL_MS = 250;
const MAX_LOG_BYTES = 32 * 1024 * 1024;

export function kubeTestJobs(client: KubeClient, namespace: string): TestJobs {
  const selectorOf = (name: string) => `${LABEL_TEST_RUN}=${name}`;
  const listJobs = (labelSelector: string) =>
    kubeCall(
      client,
      `list the test Jobs in ${namespace}`,
      (options) => client.batch.listNamespacedJob({ namespace, labelSelector }, options),
      {
        retry: 'safe',
      },
    );
  const listPods = (labelSelector: string) =>
    kubeCall(
      client,
      `list the test pods in ${namespace}`,
      (options) => client.core.listNamespacedPod({ namespace, labelSelector }, options),
      {
        retry: 'safe',
      },
    );

  return {
    async createJob(spec: TestJobSpec, signal?: AbortSignal) {
      const body = jobManifest(spec, namespace);
      await kubeCreate(
        client,
        `create the test Job ${spec.name} in ${namespace}`,
        {
          create: (options) => client.batch.createNamespacedJob({ namespace, body }, options),
          readBack: (options) => client.batch.readNamespacedJob({ name: spec.name, namespace }, options),
          // Job names count up under the namespace lock: one of this name and image is this run's.
          isOurs: (found) =>
            found.metadata?.labels?.[LABEL_TEST_RUN] === spec.name &&
            found.spec?.template.spec?.containers[0]?.image === spec.image,
        },
        { signal },
      );
    },

    async *watchJob(name, outer) {
      const stop = new AbortController();
      const signal = AbortSignal.any([outer, stop.signal]);
      const change = new ChangeSignal();
      const jobs = new Map<string, V1Job>();
      const pods = new Map<string, V1Pod>();
      const onError = (error: KubeError) => change.fail(error);
      const labelSelector = selectorOf(name);
      try {
        await Promise.all([
          keepWatching(
            client,
            {
              what: 'test Jobs',
              path: `/apis/batch/v1/namespaces/${namespace}/jobs`,
              labelSelector,
              list: () => listJobs(labelSelector),
            },
            jobs,
            change.notify,
            signal,
            onError,
          ),
          keepWatching(
            client,
            {
              what: 'test pods',
              path: `/api/v1/namespaces/${namespace}/pods`,
              labelSelector,
              list: () => listPods(labelSelector),
            },
            pods,
            change.notify,
            signal,
            onError,
          ),
        ]);
        while (await change.next(signal)) {
          const job = jobs.get(name);
          yield { ...(job ? { job: observeJob(job) } : {}), pods: [...pods.values()].map(observePod) };
        }
      } finally {
        stop.abort();
      }
    },

    async readLog(pod) {
      try {
        const log = await kubeCall(
          client,
          `read the log of ${pod}`,
          (options) =>
            client.core.readNamespacedPodLog(
              { name: pod, namespace, container: TEST_CONTAINER, limitBytes: MAX_LOG_BYTES },
              options,
            ),
          { retry: 'safe' },
        );
        return { log: String(log) };
      } catch (error) {
        if (error instanceof KubeError && error.code === 403) throw error;
        // The API server could not get the log from the node's kubelet (kwok has none).
        return { unavailable: error instanceof Error ? error.message : String(error) };
      }
    },

    async deleteJob(name, timeoutMs, signal) {
      await kubeRead(
        client,
        `delete the test Job ${name}`,
        (options) =>
          client.batch.deleteNamespacedJob({ name, namespace, propagationPolicy: 'Foreground' }, options),
        { signal },
      );
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const [job, left] = await Promise.all([
          kubeRead(client, `read the test Job ${name}`, (options) =>
            client.batch.readNamespacedJob({ name, namespace }, options),
          ),
          listPods(selectorOf(name)),
        ]);
        if (!job && left.items.length === 0) return;
        if (Date.now() > deadline) {
          throw new EngineError(
            'test-timeout',
            `the test Job ${name} and its pods were not gone ${Math.round(timeoutMs / 1000)}s after deleting them`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, GONE_POLL_MS));
      }
    },

    async listJobs() {
      const list = await listJobs(`${LABEL_MANAGED_BY}=${MANAGED_BY},${LABEL_TEST_RUN}`);
      return list.items
        .sort((a, b) =>
          String(a.metadata?.creationTimestamp ?? '').localeCompare(
            String(b.metadata?.creationTimestamp ?? ''),
          ),
        )
        .map((job) => job.metadata?.name ?? '');
    },
  };
}

function observeJob(job: V1Job): JobObservation {
  return {
    name: job.metadata?.name ?? '',
    active: job.status?.active ?? 0,
    succeeded: job.status?.succeeded ?? 0,
    failed: job.status?.failed ?? 0,
    conditions: (job.status?.conditions ?? []).map((condition) => ({
      type: condition.type,
      status: condition.status,
      ...(condition.reason ? { reason: condition.reason } : {}),
      ...(condition.message ? { message: condition.message } : {}),
    })),
  };
}
