import { createRequire as __greenlightRequire } from 'node:module';
const require = __greenlightRequire(import.meta.url);
import {
  KubeError,
  LABEL_PROBE_RUN,
  PROBE_CONTAINER,
  kubeCall,
  kubeRead,
  observePod,
  probeJobManifest
} from "./chunk-NME52WII.js";
import {
  EngineError
} from "./chunk-L2HEXJUQ.js";

// src/kube/probes.ts
var GONE_POLL_MS = 250;
function kubeSwitchProbes(client, namespace) {
  const listPods = (name) => kubeCall(
    client,
    `list the pods of the switch probe ${name} in ${namespace}`,
    () => client.core.listNamespacedPod({ namespace, labelSelector: `${LABEL_PROBE_RUN}=${name}` }),
    { retry: "safe" }
  );
  return {
    async createProbe(spec) {
      await kubeCall(
        client,
        `create the switch probe Job ${spec.name} in ${namespace}`,
        () => client.batch.createNamespacedJob({ namespace, body: probeJobManifest(spec, namespace) })
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
          () => client.core.readNamespacedPodLog({ name: pod, namespace, container: PROBE_CONTAINER, tailLines }),
          { retry: "safe" }
        );
        return { log: String(log) };
      } catch (error) {
        if (error instanceof KubeError && error.code === 403) throw error;
        return { unavailable: error instanceof Error ? error.message : String(error) };
      }
    },
    async deleteProbe(name, timeoutMs) {
      await kubeRead(
        client,
        `delete the switch probe Job ${name}`,
        () => client.batch.deleteNamespacedJob({ name, namespace, propagationPolicy: "Foreground" })
      );
      const deadline = Date.now() + timeoutMs;
      for (; ; ) {
        const [job, left] = await Promise.all([
          kubeRead(
            client,
            `read the switch probe Job ${name}`,
            () => client.batch.readNamespacedJob({ name, namespace })
          ),
          listPods(name)
        ]);
        if (!job && left.items.length === 0) return;
        if (Date.now() > deadline) {
          throw new EngineError(
            "cluster-error",
            `the switch probe Job ${name} and its pods were not gone ${Math.round(timeoutMs / 1e3)}s after deleting them`
          );
        }
        await new Promise((resolve) => setTimeout(resolve, GONE_POLL_MS));
      }
    }
  };
}

// src/wiring/probe.ts
function switchProbesFor(client, namespace) {
  return kubeSwitchProbes(client, namespace);
}

export {
  switchProbesFor
};
