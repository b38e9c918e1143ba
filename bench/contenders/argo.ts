/**
 * Baseline (c): Argo Rollouts. Its controller is built by bench/install.sh from the Go
 * module proxy (test/stack/go/argo-rollouts); its CRDs are read at run time from the
 * module's source in the Go module cache (manifests/crds), never copied into this
 * repository. Every service is a Rollout with `blueGreen` (active Service `<svc>`,
 * preview `<svc>-preview`, autoPromotionEnabled false). Deploy: apply the v2 Rollouts
 * and wait until every one is paused awaiting promotion (preview ReplicaSet
 * available). Promote: clear the pause of all of them (argo-promote.ts) and wait until
 * every active Service selects the new ReplicaSet.
 *
 * The measured process is the controller, which does the work (its peak RSS since it
 * started); the requests of the controller and of the client both count.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePorts } from '../../test/stack/process.ts';
import { cacheDir, STACK_SOURCE_DIR } from '../../test/stack/tools.ts';
import type { Contender, ContenderContext } from '../contender.ts';
import { kubectl, type LongRunning, peakRssOf, sleep, startLongRunning } from '../exec.ts';
import { type BenchGroup, rolloutsManifests } from '../groups.ts';
import { type KubeObject, kubeConfigFrom, waitForAll } from '../watch.ts';
import { promoteRollouts } from './argo-promote.ts';

const MODULE = 'github.com/argoproj/argo-rollouts';
const BINARY = 'rollouts-controller';
const CONTROLLER_NAMESPACE = 'argo-rollouts';
const CLIENT = 'argo-rollouts-client';
const CONTROLLER = 'argo-rollouts-controller';
const CRDS = ['rollouts', 'analysisruns', 'analysistemplates', 'clusteranalysistemplates', 'experiments'].map(
  (plural) => `${plural}.argoproj.io`,
);

export function argoRolloutsVersion(): string {
  const versions = JSON.parse(readFileSync(join(STACK_SOURCE_DIR, 'versions.json'), 'utf8')) as Record<
    string,
    string
  >;
  const version = versions['argo-rollouts'];
  if (!version) throw new Error('test/stack/versions.json has no "argo-rollouts" version');
  return version;
}

export function controllerPath(version = argoRolloutsVersion()): string {
  return join(cacheDir(), 'bin', `${BINARY}-${version}`, BINARY);
}

/** manifests/crds of the pinned release, in the Go module cache (bench/install.sh downloads the module). */
export function crdDir(version = argoRolloutsVersion()): string {
  const go = existsSync('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : 'go';
  const modCache = execFileSync(go, ['env', 'GOMODCACHE'], { encoding: 'utf8', timeout: 30_000 }).trim();
  return join(modCache, `${MODULE}@${version}`, 'manifests', 'crds');
}

interface RolloutStatus {
  phase?: string;
  currentPodHash?: string;
  stableRS?: string;
  pauseConditions?: { reason?: string }[];
  blueGreen?: { activeSelector?: string; previewSelector?: string };
}

const statusOf = (object: KubeObject) => (object.status ?? {}) as RolloutStatus;

/** Live and stable on the current template: the first revision, or a promoted one. */
export function rolloutHealthy(object: KubeObject): boolean {
  const s = statusOf(object);
  return (
    s.phase === 'Healthy' &&
    s.currentPodHash !== undefined &&
    s.stableRS === s.currentPodHash &&
    s.blueGreen?.activeSelector === s.currentPodHash
  );
}

/** The new revision available behind the preview Service, paused until someone promotes it. */
export function rolloutAwaitingPromotion(object: KubeObject): boolean {
  const s = statusOf(object);
  return (
    s.phase === 'Paused' &&
    (s.pauseConditions ?? []).some((c) => c.reason === 'BlueGreenPause') &&
    s.currentPodHash !== undefined &&
    s.currentPodHash !== s.stableRS &&
    s.blueGreen?.previewSelector === s.currentPodHash
  );
}

/** The active Service switched to the new revision (scale-down of the old one may still follow). */
export function rolloutPromoted(object: KubeObject): boolean {
  const s = statusOf(object);
  return s.currentPodHash !== undefined && s.blueGreen?.activeSelector === s.currentPodHash;
}

const crdEstablished = (object: KubeObject) =>
  ((object.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? []).some(
    (c) => c.type === 'Established' && c.status === 'True',
  );

const describeRollout = (object: KubeObject | undefined) => {
  if (!object) return 'not there';
  const s = statusOf(object);
  return `phase ${s.phase}, pod hash ${s.currentPodHash}, stable ${s.stableRS}, active ${s.blueGreen?.activeSelector}, preview ${s.blueGreen?.previewSelector}`;
};

/** The controller's own client-side limits (its flags' defaults), unless a run asks for others. */
export const ARGO_DEFAULT_QPS = 40;

export function argoRolloutsContender(options: { qps?: number } = {}): Contender {
  const qps = options.qps ?? ARGO_DEFAULT_QPS;
  let controller: LongRunning | undefined;
  const rolloutsPath = (group: BenchGroup) =>
    `/apis/argoproj.io/v1alpha1/namespaces/${group.namespace}/rollouts`;
  const kubeconfigOf = (ctx: Pick<ContenderContext, 'identities'>, name: string) => {
    const path = ctx.identities.get(name)?.kubeconfig;
    if (!path) throw new Error(`argo-rollouts: identity ${name} missing`);
    return path;
  };
  const controllerRss = () => ({ peakRssBytes: controller ? peakRssOf(controller.pid) : 0 });

  return {
    name: 'argo-rollouts',
    label: 'Argo Rollouts',
    identities: [CLIENT, CONTROLLER],

    unavailable: async () => {
      const version = argoRolloutsVersion();
      if (!existsSync(controllerPath(version))) {
        return `${BINARY} ${version} is not built (expected ${controllerPath(version)}): run \`bash bench/install.sh\``;
      }
      let crds: string;
      try {
        crds = crdDir(version);
      } catch (error) {
        return `cannot find the Go module cache (go env GOMODCACHE): ${String(error)}`;
      }
      if (!existsSync(join(crds, 'rollout-crd.yaml'))) {
        return `the CRDs of ${MODULE}@${version} are not in the module cache (${crds}): run \`bash bench/install.sh\``;
      }
      return undefined;
    },

    setUp: async (ctx) => {
      const admin = (args: string[]) =>
        kubectl(ctx.adminKubeconfig, ctx.kubectlCache, args, { timeoutMs: 120_000 });
      // the release's own kustomization; server-side, as the CRDs are larger than
      // client-side apply's last-applied annotation allows
      await admin(['apply', '--server-side', '--force-conflicts', '-k', crdDir()]);
      await waitForAll(
        kubeConfigFrom(ctx.adminKubeconfig),
        '/apis/apiextensions.k8s.io/v1/customresourcedefinitions',
        CRDS,
        crdEstablished,
        { timeoutMs: 60_000, what: 'the Argo Rollouts CRDs Established' },
      );
      await admin(['create', 'namespace', CONTROLLER_NAMESPACE]);
      const [metricsPort, healthzPort] = (await freePorts(2)) as [number, number];
      const logFile = join(ctx.stack.dir, 'logs', 'argo-rollouts-controller.log');
      const fd = openSync(logFile, 'a');
      try {
        controller = startLongRunning(
          controllerPath(),
          [
            `--kubeconfig=${kubeconfigOf(ctx, CONTROLLER)}`,
            `--metricsPort=${metricsPort}`,
            `--healthzPort=${healthzPort}`,
            '--leader-elect=false',
            '--loglevel=info',
            `--qps=${qps}`,
            `--burst=${qps * 2}`,
          ],
          { env: { ...process.env, POD_NAMESPACE: CONTROLLER_NAMESPACE }, logFd: fd },
        );
      } finally {
        closeSync(fd);
      }
      ctx.log(`argo-rollouts controller pid ${controller.pid}, log ${logFile}`);
      const deadline = Date.now() + 60_000;
      for (;;) {
        const ok = await fetch(`http://127.0.0.1:${healthzPort}/healthz`, {
          signal: AbortSignal.timeout(2000),
        })
          .then((r) => r.ok)
          .catch(() => false);
        if (ok) break;
        if (controller.exited())
          throw new Error(`the argo-rollouts controller exited at start; see ${logFile}`);
        if (Date.now() > deadline)
          throw new Error(`the argo-rollouts controller was not healthy in 60s; see ${logFile}`);
        await sleep(250);
      }
    },

    tearDown: async () => {
      await controller?.stop();
      controller = undefined;
    },

    prepare: async (group, ctx) => {
      await kubectl(
        ctx.adminKubeconfig,
        ctx.kubectlCache,
        ['apply', '--server-side', '-n', group.namespace, '-f', '-'],
        {
          input: rolloutsManifests(group.registry, group.services, 'v1', true),
          timeoutMs: ctx.timeoutMs,
        },
      );
      await waitForAll(
        kubeConfigFrom(ctx.adminKubeconfig),
        rolloutsPath(group),
        group.services,
        rolloutHealthy,
        {
          timeoutMs: ctx.timeoutMs,
          what: `${group.services.length} Rollouts Healthy at v1`,
          describe: describeRollout,
        },
      );
    },

    deploy: async (group, ctx) => {
      // what a person or a GitOps tool does: apply the new manifests, then wait
      const waiting = waitForAll(
        kubeConfigFrom(ctx.adminKubeconfig),
        rolloutsPath(group),
        group.services,
        rolloutAwaitingPromotion,
        {
          timeoutMs: ctx.timeoutMs,
          what: `${group.services.length} Rollouts paused awaiting promotion`,
          describe: describeRollout,
        },
      );
      await kubectl(
        kubeconfigOf(ctx, CLIENT),
        ctx.kubectlCache,
        // server-side: a client-side apply of a custom resource first downloads and parses the
        // whole OpenAPI v2 document (about 1.5 s here), which is not Argo Rollouts' doing
        ['apply', '--server-side', '--force-conflicts', '-n', group.namespace, '-f', '-'],
        {
          input: rolloutsManifests(group.registry, group.services, 'v2', false),
          timeoutMs: ctx.timeoutMs,
        },
      );
      await waiting;
      return controllerRss();
    },

    promote: async (group, ctx) => {
      const promoted = waitForAll(
        kubeConfigFrom(ctx.adminKubeconfig),
        rolloutsPath(group),
        group.services,
        rolloutPromoted,
        {
          timeoutMs: ctx.timeoutMs,
          what: `${group.services.length} Rollouts promoted (active Service on the new revision)`,
          describe: describeRollout,
        },
      );
      const timeout = AbortSignal.timeout(ctx.timeoutMs);
      await Promise.race([
        promoteRollouts(kubeconfigOf(ctx, CLIENT), group.namespace, group.services),
        new Promise((_, reject) =>
          timeout.addEventListener('abort', () => reject(new Error('promote timed out'))),
        ),
      ]);
      await promoted;
      return controllerRss();
    },
  };
}
