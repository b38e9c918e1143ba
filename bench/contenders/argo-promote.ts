/**
 * Promotes Argo Rollouts the way `kubectl argo rollouts promote` does (its
 * pkg/kubectl-argo-rollouts/cmd/promote, read for this): read the Rollout, clear
 * `status.pauseConditions` through the status subresource, and unpause the spec if it
 * was paused. All of the named Rollouts at once (at most 32 requests in flight), from
 * the benchmark's own process (no process start, as a Go plugin starts in milliseconds):
 * the fastest a script around the plugin could go, so Argo Rollouts gets its best case.
 */
import { CustomObjectsApi, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import pLimit from 'p-limit';
import { kubeConfigFrom } from '../watch.ts';

const ROLLOUTS = { group: 'argoproj.io', version: 'v1alpha1', plural: 'rollouts' };

export async function promoteRollouts(
  kubeconfig: string,
  namespace: string,
  names: readonly string[],
): Promise<void> {
  const api = kubeConfigFrom(kubeconfig).makeApiClient(CustomObjectsApi);
  const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
  const limit = pLimit(32);
  await Promise.all(
    names.map((name) =>
      limit(async () => {
        const rollout = (await api.getNamespacedCustomObject({ ...ROLLOUTS, namespace, name })) as {
          spec?: { paused?: boolean };
          status?: { pauseConditions?: unknown[] };
        };
        if ((rollout.status?.pauseConditions ?? []).length > 0) {
          await api.patchNamespacedCustomObjectStatus(
            { ...ROLLOUTS, namespace, name, body: { status: { pauseConditions: null } } },
            merge,
          );
        }
        if (rollout.spec?.paused) {
          await api.patchNamespacedCustomObject(
            { ...ROLLOUTS, namespace, name, body: { spec: { paused: false } } },
            merge,
          );
        }
      }),
    ),
  );
}
