/**
 * The switch probe's Job in a group's namespace: created, its pod and the tail of its log
 * read while it runs (the engine polls; the probe prints its running count twice a
 * second), deleted with Foreground propagation and waited for until the Job and its pods
 * are gone.
 */
import { EngineError } from '../core/errors.ts';
import type { SwitchProbes } from '../core/ports.ts';
import { type KubeClient, KubeError, kubeCall, kubeRead } from './client.ts';
import { PROBE_CONTAINER, probeJobManifest } from './manifests.ts';
import { LABEL_PROBE_RUN } from './model.ts';
import { observePod } from './observe.ts';

const GONE_POLL_MS = 250;

export function kubeSwitchProbes(client: KubeClient, namespace: string): SwitchProbes {
  const listPods = (name: string) =>
    kubeCall(
      client,
      `list the pods of the switch probe ${name} in ${namespace}`,
      () => client.core.listNamespacedPod({ namespace, labelSelector: `${LABEL_PROBE_RUN}=${name}` }),
      { retry: 'safe' },
    );

  return {
    async createProbe(spec) {
      await kubeCall(client, `create the switch probe Job ${spec.name} in ${namespace}`, () =>
        client.batch.createNamespacedJob({ namespace, body: probeJobManifest(spec, namespace) }),
      );
    },

    async probePods(name) {
      return (await listPods(name)).items.map(observePod);
    },

    async readLog(pod, tailLines) {
      try {
        const log = await kubeCall(
          client,
          `read the log of ${pod}`,
          () =>
            client.core.readNamespacedPodLog({ name: pod, namespace, container: PROBE_CONTAINER, tailLines }),
          { retry: 'safe' },
        );
        return { log: String(log) };
      } catch (error) {
        if (error instanceof KubeError && error.code === 403) throw error;
        // The container has not started yet, or the node serves no logs (kwok has none).
        return { unavailable: error instanceof Error ? error.message : String(error) };
      }
    },

    async deleteProbe(name, timeoutMs) {
      await kubeRead(client, `delete the switch probe Job ${name}`, () =>
        client.batch.deleteNamespacedJob({ name, namespace, propagationPolicy: 'Foreground' }),
      );
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const [job, left] = await Promise.all([
          kubeRead(client, `read the switch probe Job ${name}`, () =>
            client.batch.readNamespacedJob({ name, namespace }),
          ),
          listPods(name),
        ]);
        if (!job && left.items.length === 0) return;
        if (Date.now() > deadline) {
          throw new EngineError(
            'cluster-error',
            `the switch probe Job ${name} and its pods were not gone ${Math.round(timeoutMs / 1000)}s after deleting them`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, GONE_POLL_MS));
      }
    },
  };
}
