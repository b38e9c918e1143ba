/**
 * Fault proxies in front of the local stack's servers (test/stack), and the rules that
 * reliability tests reach for most.
 *
 *   const api = await startApiServerProxy(stack);          // https, the API server's own certificate
 *   const kubeconfig = api.kubeconfigFor(stack.kubeconfig); // same user, server = the proxy
 *   api.addRule({ match: { method: 'POST' }, on: { nth: 1 }, fault: { kind: 'status', status: 503 } });
 *   ... run a client with KUBECONFIG=kubeconfig ...
 *   await api.close();
 *
 * The API server proxy serves TLS with the API server's own serving certificate (its SANs
 * hold 127.0.0.1, the proxy's address too), so a kubeconfig that trusts the stack's CA
 * trusts the proxy: the derived kubeconfig differs from its source only in `server`.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { KubeConfig, type User } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import type { StackInfo } from '../stack/types.ts';
import { FaultProxy, type RuleHandle, startFaultProxy } from './fault-proxy.ts';
import type { FaultRule } from './fault-rules.ts';

/** The API server's serving certificate and key, next to the CA in the stack's pki dir (test/stack/pki.ts). */
function apiServerServingPair(stack: StackInfo): { cert: string; key: string } {
  const pki = dirname(stack.caFile);
  const cert = join(pki, 'kube-apiserver.crt');
  const key = join(pki, 'kube-apiserver.key');
  for (const file of [cert, key]) {
    if (!existsSync(file)) {
      throw new Error(
        `fault proxy: ${file} is missing; expected the API server's serving pair beside ${stack.caFile}`,
      );
    }
  }
  return { cert: readFileSync(cert, 'utf8'), key: readFileSync(key, 'utf8') };
}

/** PEM text of a kubeconfig user's certificate or key: inline base64 data, or a file. */
function pem(data: string | undefined, file: string | undefined): string | undefined {
  if (data) return Buffer.from(data, 'base64').toString('utf8');
  if (file) return readFileSync(file, 'utf8');
  return undefined;
}

/** A fault proxy in front of the stack's kube-apiserver, and the kubeconfigs that lead through it. */
export class ApiServerProxy extends FaultProxy {
  readonly #ca: string;
  readonly #dir = mkdtempSync(join(tmpdir(), 'greenlight-fault-proxy-'));
  #written = 0;

  constructor(stack: StackInfo) {
    const ca = readFileSync(stack.caFile, 'utf8');
    super({
      upstream: stack.apiServerUrl,
      flavor: 'kubernetes',
      serve: apiServerServingPair(stack),
      upstreamCa: ca,
    });
    this.#ca = ca;
  }

  /**
   * Writes a kubeconfig for the source kubeconfig's current user with the server swapped
   * for this proxy, and registers that user's client certificate (if any) as an identity,
   * so the proxy forwards with it. Token users need no registration. Returns its path
   * (in a temp dir removed by close()).
   */
  kubeconfigFor(sourceKubeconfig: string): string {
    const source = new KubeConfig();
    source.loadFromFile(sourceKubeconfig);
    const user = source.getCurrentUser();
    if (!user) throw new Error(`fault proxy: ${sourceKubeconfig} has no current user`);
    const credentials = this.#credentialsOf(user, sourceKubeconfig);
    const namespace = source.getContextObject(source.getCurrentContext())?.namespace ?? 'default';
    const cluster = {
      server: this.url,
      'certificate-authority-data': Buffer.from(this.#ca).toString('base64'),
    };
    const config = {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'fault-proxy', cluster }],
      users: [{ name: user.name, user: credentials }],
      contexts: [{ name: 'fault-proxy', context: { cluster: 'fault-proxy', user: user.name, namespace } }],
      'current-context': 'fault-proxy',
    };
    const path = join(this.#dir, `${++this.#written}-${basename(sourceKubeconfig)}`);
    writeFileSync(path, stringify(config), { mode: 0o600 });
    return path;
  }

  /** The user's credentials for the derived kubeconfig; registers a client certificate as an identity. */
  #credentialsOf(user: User, sourceKubeconfig: string): Record<string, string> {
    const cert = pem(user.certData, user.certFile);
    const key = pem(user.keyData, user.keyFile);
    const credentials: Record<string, string> = {};
    if (cert && key) {
      this.addIdentity({ name: user.name, cert, key });
      credentials['client-certificate-data'] = Buffer.from(cert).toString('base64');
      credentials['client-key-data'] = Buffer.from(key).toString('base64');
    }
    if (user.token) credentials.token = user.token;
    if (Object.keys(credentials).length === 0) {
      throw new Error(
        `fault proxy: user ${user.name} of ${sourceKubeconfig} has neither a client certificate nor a token`,
      );
    }
    return credentials;
  }

  override async close(): Promise<void> {
    await super.close();
    rmSync(this.#dir, { recursive: true, force: true });
  }
}

export async function startApiServerProxy(stack: StackInfo): Promise<ApiServerProxy> {
  const proxy = new ApiServerProxy(stack);
  await proxy.listen();
  return proxy;
}

/** A proxy in front of the stack's distribution registry (plain HTTP, OCI error bodies); use `proxy.host` as the registry. */
export function startRegistryProxy(stack: StackInfo): Promise<FaultProxy> {
  return startFaultProxy({ upstream: `http://${stack.registry}`, flavor: 'oci' });
}

/** A proxy in front of moto's ECR API (plain HTTP, AWS JSON error bodies); use `proxy.url` as the ECR endpoint. */
export function startEcrProxy(stack: StackInfo): Promise<FaultProxy> {
  return startFaultProxy({ upstream: stack.ecrEndpoint, flavor: 'aws-json' });
}

export interface LeaseRef {
  namespace: string;
  name: string;
}

/**
 * How a blocked renewal goes: `fail` answers 503, `conflict` 409 (as if another holder
 * had written the Lease), `hang` never answers (the renewer's own timeout ends it).
 */
export type LeaseBlockMode = 'fail' | 'conflict' | 'hang';

/**
 * A rule that blocks every renewal (update or patch) of one coordination.k8s.io Lease,
 * while reads and everything else pass: the holder keeps running while its Lease expires.
 */
export function leaseRenewalRule(
  lease: LeaseRef,
  mode: LeaseBlockMode = 'fail',
  hangMs = 120_000,
): FaultRule {
  return {
    name: `block-renewals-${lease.namespace}/${lease.name}`,
    match: {
      method: ['PUT', 'PATCH'],
      path: `/apis/coordination.k8s.io/v1/namespaces/${lease.namespace}/leases/${lease.name}`,
    },
    fault:
      mode === 'fail'
        ? {
            kind: 'status',
            status: 503,
            message: `renewals of Lease ${lease.name} are blocked by the fault proxy`,
          }
        : mode === 'conflict'
          ? { kind: 'conflict' }
          : { kind: 'hang', maxMs: hangMs },
  };
}

/** Adds leaseRenewalRule to the proxy; `remove()` on the handle lets renewals through again. */
export function blockLeaseRenewals(
  proxy: FaultProxy,
  lease: LeaseRef,
  mode: LeaseBlockMode = 'fail',
): RuleHandle {
  return proxy.addRule(leaseRenewalRule(lease, mode));
}
