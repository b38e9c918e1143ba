/**
 * Baselines (a) and (b): the second seed's kubectl pipeline (seed-pipeline.sh) for every
 * service of the group, one after another or 8 at a time. The measured process is the
 * pipeline (bash, xargs and every kubectl); its peak RSS is the largest of them.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { kubectlPath } from '../../test/stack/tools.ts';
import type { Contender, ContenderContext, ContenderName, PhaseResult } from '../contender.ts';
import { kubectl, runMeasured } from '../exec.ts';
import { type BenchGroup, liveOnBlueManifests, standbyManifests } from '../groups.ts';
import { deploymentAvailable, kubeConfigFrom, waitForAll } from '../watch.ts';

const PIPELINE = join(dirname(fileURLToPath(import.meta.url)), 'seed-pipeline.sh');

export function kubectlContender(name: ContenderName, label: string, parallelism: number): Contender {
  const identity = name;
  const paths = (ctx: ContenderContext) => ({
    manifests: join(ctx.workDir, 'manifests'),
    state: join(ctx.workDir, 'state'),
    servicesFile: join(ctx.workDir, 'services.txt'),
  });

  const pipeline = async (stage: 'deploy' | 'promote', group: BenchGroup, ctx: ContenderContext) => {
    const { manifests, state, servicesFile } = paths(ctx);
    const kubeconfig = ctx.identities.get(identity)?.kubeconfig;
    if (!kubeconfig) throw new Error(`${name}: identity ${identity} missing`);
    const result = await runMeasured('bash', [PIPELINE, stage, String(parallelism), servicesFile], {
      timeoutMs: ctx.timeoutMs,
      env: {
        ...process.env,
        KUBECTL: kubectlPath(),
        KUBECONFIG_PATH: kubeconfig,
        KUBECTL_CACHE: ctx.kubectlCache,
        NAMESPACE: group.namespace,
        MANIFESTS: manifests,
        STATE: state,
        ROLLOUT_TIMEOUT: `${Math.ceil(ctx.timeoutMs / 1000)}s`,
      },
    });
    return { peakRssBytes: result.peakRssBytes } satisfies PhaseResult;
  };

  return {
    name,
    label,
    identities: [identity],
    unavailable: async () => undefined,

    prepare: async (group, ctx) => {
      const { manifests, state, servicesFile } = paths(ctx);
      mkdirSync(manifests, { recursive: true });
      mkdirSync(state, { recursive: true });
      writeFileSync(servicesFile, `${group.services.join('\n')}\n`);
      for (const svc of group.services) {
        for (const color of ['blue', 'green'] as const) {
          writeFileSync(
            join(manifests, `${svc}-${color}.yaml`),
            standbyManifests(group.registry, svc, color, 'v2'),
          );
        }
      }
      // live on blue at v1, in one apply (not measured)
      await kubectl(ctx.adminKubeconfig, ctx.kubectlCache, ['apply', '-n', group.namespace, '-f', '-'], {
        input: liveOnBlueManifests(group.registry, group.services),
        timeoutMs: ctx.timeoutMs,
      });
      await waitForAll(
        kubeConfigFrom(ctx.adminKubeconfig),
        `/apis/apps/v1/namespaces/${group.namespace}/deployments`,
        group.services.map((svc) => `${svc}-blue`),
        deploymentAvailable,
        { timeoutMs: ctx.timeoutMs, what: `${group.services.length} live Deployments Available` },
      );
    },

    deploy: (group, ctx) => pipeline('deploy', group, ctx),
    promote: (group, ctx) => pipeline('promote', group, ctx),
  };
}
