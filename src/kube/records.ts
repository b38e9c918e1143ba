/**
 * Release records as labelled ConfigMaps in the group's namespace (no CRD: the deploy role
 * has namespace edit rights only). Every update names the resourceVersion it read, so two
 * writers never overwrite each other: the loser gets a ConflictError and decides again.
 */
import type { V1ConfigMap } from '@kubernetes/client-node';
import { GreenlightError } from '../core/errors.ts';
import type { ReleaseStore } from '../core/ports.ts';
import type { ReleaseRecord, StoredRelease } from '../core/release.ts';
import { asConflict, type KubeClient, kubeCall, kubeCreate, kubeRead } from './client.ts';
import { RECORD_DATA_KEY, recordManifest, recordName } from './manifests.ts';
import { LABEL_MANAGED_BY, LABEL_RECORD, MANAGED_BY } from './model.ts';

const RECORD_SELECTOR = `${LABEL_MANAGED_BY}=${MANAGED_BY},${LABEL_RECORD}=release`;

export function kubeReleaseStore(client: KubeClient, namespace: string): ReleaseStore {
  return {
    async list() {
      const list = await kubeCall(
        client,
        `list the release records in ${namespace}`,
        (options) =>
          client.core.listNamespacedConfigMap({ namespace, labelSelector: RECORD_SELECTOR }, options),
        { retry: 'safe' },
      );
      return list.items.flatMap((item) => {
        const stored = storedOf(item);
        return stored ? [stored] : [];
      });
    },

    async create(record, signal) {
      const name = recordName(record.id);
      const body = recordManifest(record, namespace);
      try {
        const created = await kubeCreate(
          client,
          `create the release record ${name}`,
          {
            create: (options) => client.core.createNamespacedConfigMap({ namespace, body }, options),
            readBack: (options) => client.core.readNamespacedConfigMap({ name, namespace }, options),
            // The record's text holds its times to the millisecond: equal text is this create's.
            isOurs: (found) => found.data?.[RECORD_DATA_KEY] === body.data?.[RECORD_DATA_KEY],
          },
          { signal },
        );
        return requireStored(created);
      } catch (error) {
        throw asConflict(error);
      }
    },

    async update(stored, record, signal) {
      try {
        const updated = await kubeCall(
          client,
          `update the release record ${recordName(record.id)}`,
          (options) =>
            client.core.replaceNamespacedConfigMap(
              {
                name: recordName(record.id),
                namespace,
                body: recordManifest(record, namespace, stored.version),
              },
              options,
            ),
          // Naming the resourceVersion makes a repeat harmless: it is refused, not applied twice.
          { retry: 'safe', signal },
        );
        return requireStored(updated);
      } catch (error) {
        throw asConflict(error);
      }
    },

    async delete(id, signal) {
      await kubeRead(
        client,
        `delete the release record ${recordName(id)}`,
        (options) => client.core.deleteNamespacedConfigMap({ name: recordName(id), namespace }, options),
        { signal },
      );
    },
  };
}

/** A ConfigMap that does not hold a readable record (edited by hand) is skipped, not fatal. */
function storedOf(configMap: V1ConfigMap): StoredRelease | undefined {
  const text = configMap.data?.[RECORD_DATA_KEY];
  const version = configMap.metadata?.resourceVersion;
  if (!text || !version) return undefined;
  try {
    const record = JSON.parse(text) as ReleaseRecord;
    if (typeof record.id !== 'string' || !Array.isArray(record.services)) return undefined;
    return { record, version };
  } catch {
    return undefined;
  }
}

function requireStored(configMap: V1ConfigMap): StoredRelease {
  const stored = storedOf(configMap);
  if (!stored)
    throw new GreenlightError(`the API server returned an unreadable record ${configMap.metadata?.name}`);
  return stored;
}
