/** The switch probe's Job in the group's namespace, for promote and rollback with `--probe` / `probe: true`. */
import type { SwitchProbes } from '../core/ports.ts';
import type { KubeClient } from '../kube/client.ts';
import { kubeSwitchProbes } from '../kube/probes.ts';

export function switchProbesFor(client: KubeClient, namespace: string): SwitchProbes {
  return kubeSwitchProbes(client, namespace);
}
