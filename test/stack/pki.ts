/**
 * Certificates and keys for one stack: a CA, the API server's serving
 * certificate, client certificates for each component and for the admin, and
 * the service-account signing key. Keys come from node:crypto (EC P-256); the
 * X.509 signing is done by the openssl CLI, which Node cannot do by itself.
 */
import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface KeyPair {
  cert: string;
  key: string;
}

export interface StackPki {
  dir: string;
  caCert: string;
  caKey: string;
  apiServer: KeyPair;
  admin: KeyPair;
  controllerManager: KeyPair;
  scheduler: KeyPair;
  kwok: KeyPair;
  /** the API server's client identity towards aggregated APIs (front proxy) */
  frontProxyClient: KeyPair;
  /** service-account token signing key (private) and its public half */
  serviceAccountKey: string;
  serviceAccountPub: string;
}

function writeKey(path: string): void {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  writeFileSync(path, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
}

async function openssl(args: string[]): Promise<void> {
  try {
    await run('openssl', args, { timeout: 30_000 });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(`openssl ${args[0]} failed: ${stderr.trim() || String(error)}`);
  }
}

export interface LeafSpec {
  name: string;
  subject: string;
  usage: 'serverAuth' | 'clientAuth';
  altNames?: string[];
}

export async function issueLeaf(
  dir: string,
  caCert: string,
  caKey: string,
  spec: LeafSpec,
): Promise<KeyPair> {
  const key = join(dir, `${spec.name}.key`);
  const csr = join(dir, `${spec.name}.csr`);
  const cert = join(dir, `${spec.name}.crt`);
  const ext = join(dir, `${spec.name}.ext`);
  writeKey(key);
  const lines = [
    'basicConstraints = critical, CA:FALSE',
    'keyUsage = critical, digitalSignature, keyEncipherment',
    `extendedKeyUsage = ${spec.usage}`,
  ];
  if (spec.altNames) lines.push(`subjectAltName = ${spec.altNames.join(', ')}`);
  writeFileSync(ext, `${lines.join('\n')}\n`);
  await openssl(['req', '-new', '-key', key, '-subj', spec.subject, '-out', csr]);
  await openssl([
    'x509',
    '-req',
    '-in',
    csr,
    '-CA',
    caCert,
    '-CAkey',
    caKey,
    '-set_serial',
    `0x${randomSerial()}`,
    '-days',
    '3650',
    '-sha256',
    '-extfile',
    ext,
    '-out',
    cert,
  ]);
  return { cert, key };
}

function randomSerial(): string {
  return Array.from({ length: 16 }, () => Math.floor(Math.random() * 16).toString(16))
    .join('')
    .replace(/^0/, '1');
}

/** A self-signed CA (`<name>.crt`, `<name>.key`) under `dir`, for {@link issueLeaf}. */
export async function createCertificateAuthority(
  dir: string,
  name: string,
  commonName: string,
): Promise<KeyPair> {
  const key = join(dir, `${name}.key`);
  const cert = join(dir, `${name}.crt`);
  writeKey(key);
  const caExt = join(dir, `${name}.cnf`);
  writeFileSync(
    caExt,
    [
      '[req]',
      'distinguished_name = dn',
      'x509_extensions = ca',
      '[dn]',
      '[ca]',
      'basicConstraints = critical, CA:TRUE',
      'keyUsage = critical, keyCertSign, cRLSign, digitalSignature',
      'subjectKeyIdentifier = hash',
      '',
    ].join('\n'),
  );
  await openssl([
    'req',
    '-x509',
    '-new',
    '-config',
    caExt,
    '-key',
    key,
    '-subj',
    `/CN=${commonName}`,
    '-days',
    '3650',
    '-sha256',
    '-out',
    cert,
  ]);
  return { cert, key };
}

/** Creates everything under `dir` (made if missing). Takes well under a second. */
export async function createStackPki(dir: string): Promise<StackPki> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const { cert: caCert, key: caKey } = await createCertificateAuthority(
    dir,
    'ca',
    'greenlight-local-stack-ca',
  );

  const [apiServer, admin, controllerManager, scheduler, kwok, frontProxyClient] = await Promise.all([
    issueLeaf(dir, caCert, caKey, {
      name: 'kube-apiserver',
      subject: '/CN=kube-apiserver',
      usage: 'serverAuth',
      altNames: [
        'IP:127.0.0.1',
        'IP:10.0.0.1',
        'DNS:localhost',
        'DNS:kubernetes',
        'DNS:kubernetes.default',
        'DNS:kubernetes.default.svc',
        'DNS:kubernetes.default.svc.cluster.local',
      ],
    }),
    issueLeaf(dir, caCert, caKey, {
      name: 'admin',
      subject: '/O=system:masters/CN=greenlight-admin',
      usage: 'clientAuth',
    }),
    issueLeaf(dir, caCert, caKey, {
      name: 'kube-controller-manager',
      subject: '/CN=system:kube-controller-manager',
      usage: 'clientAuth',
    }),
    issueLeaf(dir, caCert, caKey, {
      name: 'kube-scheduler',
      subject: '/CN=system:kube-scheduler',
      usage: 'clientAuth',
    }),
    // kwok patches node and pod status, leases and events: the simplest honest
    // identity for a fake kubelet fleet is a cluster admin.
    issueLeaf(dir, caCert, caKey, {
      name: 'kwok',
      subject: '/O=system:masters/CN=kwok-controller',
      usage: 'clientAuth',
    }),
    issueLeaf(dir, caCert, caKey, {
      name: 'front-proxy-client',
      subject: '/CN=front-proxy-client',
      usage: 'clientAuth',
    }),
  ]);

  const serviceAccountKey = join(dir, 'service-account.key');
  const serviceAccountPub = join(dir, 'service-account.pub');
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  writeFileSync(serviceAccountKey, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  writeFileSync(serviceAccountPub, publicKey.export({ type: 'spki', format: 'pem' }));

  return {
    dir,
    caCert,
    caKey,
    apiServer,
    admin,
    controllerManager,
    scheduler,
    kwok,
    frontProxyClient,
    serviceAccountKey,
    serviceAccountPub,
  };
}

/** A kubeconfig for one client certificate of the stack, against `server`. */
export function kubeconfigYaml(
  name: string,
  server: string,
  pki: StackPki,
  client: { cert: string; key: string },
): string {
  const b64 = (path: string) => readFileSync(path).toString('base64');
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: greenlight-local',
    '  cluster:',
    `    server: ${server}`,
    `    certificate-authority-data: ${b64(pki.caCert)}`,
    'users:',
    `- name: ${name}`,
    '  user:',
    `    client-certificate-data: ${b64(client.cert)}`,
    `    client-key-data: ${b64(client.key)}`,
    'contexts:',
    `- name: ${name}@greenlight-local`,
    '  context:',
    '    cluster: greenlight-local',
    `    user: ${name}`,
    '    namespace: default',
    `current-context: ${name}@greenlight-local`,
    '',
  ].join('\n');
}
