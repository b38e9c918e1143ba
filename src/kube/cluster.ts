/**
 * One group's namespace on a real cluster: core's ClusterReader and ClusterWriter over
 * client-node. Writes are server-side applies (field manager `greenlight`), so each is
 * idempotent and safe to retry; reads list by Greenlight's managed-by label.
 */
import {
  PatchStrategy,
  setHeaderOptions,
  type V1Deployment,
  type V1EndpointSlice,
  type V1Pod,
} from '@kubernetes/client-node';
import type { GroupObjects, RolloutSnapshot } from '../core/cluster.ts';
import type { Color } from '../core/naming.ts';
import type { GroupCluster } from '../core/ports.ts';
import type { DeploymentSpec, ServiceSpec } from '../core/workload.ts';
import { type KubeClient, KubeError, kubeCall, kubeRead, type RequestOptions } from './client.ts';
import { deploymentManifest, serviceManifest } from './manifests.ts';
import { FIELD_MANAGER, LABEL_COLOR, MANAGED_SELECTOR } from './model.ts';
import {
  observeDeployment,
  observeEndpointSlice,
  observeEvent,
  observePod,
  observeService,
} from './observe.ts';
import { ChangeSignal, keepWatching } from './watch.ts';

const apply = (options: RequestOptions) =>
  setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply, options);
const merge = (options: RequestOptions) =>
  setHeaderOptions('Content-Type', PatchStrategy.MergePatch, options);
/** Events are only read to explain a failure: a few objects are enough. */
const MAX_EVENT_OBJECTS = 6;

export function kubeGroupCluster(client: KubeClient, namespace: string): GroupCluster {
  const ns = namespace;
  const listDeployments = () =>
    kubeCall(
      client,
      `list the Deployments in ${ns}`,
      (options) =>
        client.apps.listNamespacedDeployment({ namespace: ns, labelSelector: MANAGED_SELECTOR }, options),
      { retry: 'safe' },
    );
  const listPods = () =>
    kubeCall(
      client,
      `list the pods in ${ns}`,
      (options) => client.core.listNamespacedPod({ namespace: ns, labelSelector: MANAGED_SELECTOR }, options),
      { retry: 'safe' },
    );
  const listSlices = () =>
    kubeCall(
      client,
      `list the EndpointSlices in ${ns}`,
      (options) =>
        client.discovery.listNamespacedEndpointSlice(
          { namespace: ns, labelSelector: MANAGED_SELECTOR },
          options,
        ),
      { retry: 'safe' },
    );

  return {
    namespace,
    server: client.server,

    async readGroupObjects(): Promise<GroupObjects> {
      const namespaceExists = await readNamespaceExists(client, ns);
      if (namespaceExists === false) return { namespaceExists, deployments: [], services: [] };
      const [deployments, services] = await Promise.all([
        listDeployments(),
        kubeCall(
          client,
          `list the Services in ${ns}`,
          (options) =>
            client.core.listNamespacedService({ namespace: ns, labelSelector: MANAGED_SELECTOR }, options),
          { retry: 'safe' },
        ),
      ]);
      return {
        namespaceExists,
        deployments: deployments.items.map(observeDeployment),
        services: services.items.map(observeService),
      };
    },

    async readRolloutSnapshot(): Promise<RolloutSnapshot> {
      const [deployments, pods, slices] = await Promise.all([listDeployments(), listPods(), listSlices()]);
      return {
        deployments: deployments.items.map(observeDeployment),
        pods: pods.items.map(observePod),
        endpointSlices: slices.items.map(observeEndpointSlice),
      };
    },

    watchRollout(signal: AbortSignal): AsyncIterable<RolloutSnapshot> {
      return watchRolloutSnapshots(client, ns, { listDeployments, listPods, listSlices }, signal);
    },

    async readEvents(objectNames) {
      const wanted = objectNames.slice(0, MAX_EVENT_OBJECTS);
      const lists = await Promise.all(wanted.map((name) => listEventsOf(client, ns, name)));
      return lists
        .flatMap((list) => list.items.map(observeEvent))
        .sort((a, b) => (b.lastSeen ?? '').localeCompare(a.lastSeen ?? ''));
    },

    async createNamespace(signal) {
      try {
        // Safe to send again: a repeat of a create that landed is a 409, which means done.
        await kubeCall(
          client,
          `create namespace ${ns}`,
          (options) =>
            client.core.createNamespace(
              { body: { metadata: { name: ns, labels: { 'app.kubernetes.io/managed-by': 'greenlight' } } } },
              options,
            ),
          { retry: 'safe', signal },
        );
      } catch (error) {
        if (error instanceof KubeError && error.code === 409) return;
        throw error;
      }
    },

    async applyDeployment(spec: DeploymentSpec, signal?: AbortSignal) {
      const applied = await kubeCall(
        client,
        `apply Deployment ${spec.name} in ${ns}`,
        (options) =>
          client.apps.patchNamespacedDeployment(
            {
              name: spec.name,
              namespace: ns,
              body: deploymentManifest(spec, ns),
              fieldManager: FIELD_MANAGER,
              force: true,
            },
            apply(options),
          ),
        { retry: 'safe', signal },
      );
      return observeDeployment(applied);
    },

    async applyService(spec: ServiceSpec, signal?: AbortSignal) {
      const applied = await kubeCall(
        client,
        `apply Service ${spec.name} in ${ns}`,
        (options) =>
          client.core.patchNamespacedService(
            {
              name: spec.name,
              namespace: ns,
              body: serviceManifest(spec, ns),
              fieldManager: FIELD_MANAGER,
              force: true,
            },
            apply(options),
          ),
        { retry: 'safe', signal },
      );
      return observeService(applied);
    },

    async selectServiceColor(name: string, color: Color, signal?: AbortSignal) {
      const patched = await kubeCall(
        client,
        `switch Service ${name} in ${ns} to ${color}`,
        (options) =>
          client.core.patchNamespacedService(
            {
              name,
              namespace: ns,
              body: { spec: { selector: { [LABEL_COLOR]: color } } },
              fieldManager: FIELD_MANAGER,
            },
            merge(options),
          ),
        { retry: 'safe', signal },
      );
      return observeService(patched);
    },

    async scaleDeployment(name: string, replicas: number, signal?: AbortSignal) {
      await kubeCall(
        client,
        `scale Deployment ${name} in ${ns} to ${replicas}`,
        (options) =>
          client.apps.patchNamespacedDeploymentScale(
            { name, namespace: ns, body: { spec: { replicas } }, fieldManager: FIELD_MANAGER },
            merge(options),
          ),
        // A merge patch that sets one number: sending it again sets the same number.
        { retry: 'safe', signal },
      );
    },

    async deleteService(name: string, signal?: AbortSignal) {
      await kubeRead(
        client,
        `delete Service ${name} in ${ns}`,
        (options) => client.core.deleteNamespacedService({ name, namespace: ns }, options),
        { signal },
      );
    },
  };
}

function listEventsOf(client: KubeClient, namespace: string, name: string) {
  return kubeCall(
    client,
    `read the events of ${name}`,
    (options) =>
      client.core.listNamespacedEvent({ namespace, fieldSelector: `involvedObject.name=${name}` }, options),
    { retry: 'safe' },
  );
}

async function readNamespaceExists(client: KubeClient, namespace: string): Promise<boolean | undefined> {
  try {
    const found = await kubeRead(client, `read namespace ${namespace}`, (options) =>
      client.core.readNamespace({ name: namespace }, options),
    );
    return found !== undefined;
  } catch (error) {
    // Forbidden to read the Namespace itself (a namespace-scoped role); the namespaced lists still answer.
    if (error instanceof KubeError && error.code === 403) return undefined;
    throw error;
  }
}

interface Lists {
  listDeployments(): Promise<{ items: V1Deployment[]; metadata?: { resourceVersion?: string } }>;
  listPods(): Promise<{ items: V1Pod[]; metadata?: { resourceVersion?: string } }>;
  listSlices(): Promise<{ items: V1EndpointSlice[]; metadata?: { resourceVersion?: string } }>;
}

/** Three watches (Deployments, pods, EndpointSlices) in the namespace, whatever the group's size. */
async function* watchRolloutSnapshots(
  client: KubeClient,
  namespace: string,
  lists: Lists,
  outer: AbortSignal,
): AsyncGenerator<RolloutSnapshot> {
  const stop = new AbortController();
  const signal = AbortSignal.any([outer, stop.signal]);
  const change = new ChangeSignal();
  const deployments = new Map<string, V1Deployment>();
  const pods = new Map<string, V1Pod>();
  const slices = new Map<string, V1EndpointSlice>();
  const onError = (error: KubeError) => change.fail(error);
  const base = (kind: string) =>
    kind === 'deployments' ? `/apis/apps/v1` : kind === 'pods' ? '/api/v1' : '/apis/discovery.k8s.io/v1';
  const path = (kind: string) => `${base(kind)}/namespaces/${namespace}/${kind}`;
  try {
    await Promise.all([
      keepWatching(
        client,
        {
          what: 'Deployments',
          path: path('deployments'),
          labelSelector: MANAGED_SELECTOR,
          list: lists.listDeployments,
        },
        deployments,
        change.notify,
        signal,
        onError,
      ),
      keepWatching(
        client,
        { what: 'pods', path: path('pods'), labelSelector: MANAGED_SELECTOR, list: lists.listPods },
        pods,
        change.notify,
        signal,
        onError,
      ),
      keepWatching(
        client,
        {
          what: 'EndpointSlices',
          path: path('endpointslices'),
          labelSelector: MANAGED_SELECTOR,
          list: lists.listSlices,
        },
        slices,
        change.notify,
        signal,
        onError,
      ),
    ]);
    while (await change.next(signal)) {
      yield {
        deployments: [...deployments.values()].map(observeDeployment),
        pods: [...pods.values()].map(observePod),
        endpointSlices: [...slices.values()].map(observeEndpointSlice),
      };
    }
  } finally {
    stop.abort();
  }
}
