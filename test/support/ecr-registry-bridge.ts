/**
 * ECR's registry endpoint, for builds run by a real workflow runner. moto answers ECR's API
 * but serves no registry (`/v2/`), so a real `buildah push` to
 * `<account>.dkr.ecr.<region>.amazonaws.com` has nowhere to go. This bridge is an HTTP
 * proxy on 127.0.0.1 that the job's builder is pointed at (`HTTP_PROXY`/`HTTPS_PROXY`):
 *
 * - requests for the ECR registry host go to the stack's real registry (CNCF distribution),
 *   unchanged, so the blobs and manifests are really pushed and their digests are the
 *   registry's own;
 * - when a manifest push succeeds there, it is recorded in moto the way ECR records a
 *   push (PutImage of that manifest under its tag, with its digest), so what the action
 *   does next (BatchGetImage, PutImage of the last-good tag) works on what was pushed;
 * - everything else is refused and listed in `refused`: nothing the job starts reaches
 *   any other address through it.
 *
 * The builder talks HTTPS to the ECR host, as to ECR: the proxy accepts `CONNECT
 * <host>:443` for that host alone and answers inside the tunnel with a certificate for it,
 * issued by a CA of its own (`caFile`). Give the job `SSL_CERT_FILE=<caFile>` (Go's trust
 * store, so buildah's) and nothing else is trusted: TLS to anywhere else fails too.
 */
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createSecureContext, TLSSocket } from 'node:tls';
import { type ECRClient, PutImageCommand } from '@aws-sdk/client-ecr';
import { createCertificateAuthority, issueLeaf } from '../stack/pki.ts';

/** ECR's manifest limit. */
const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'proxy-authorization', 'te', 'upgrade'];

export interface RecordedPush {
  repository: string;
  tag: string | undefined;
  digest: string;
  mediaType: string;
}

export interface EcrRegistryBridge {
  /** `http://127.0.0.1:PORT`: the job's HTTP_PROXY and HTTPS_PROXY. */
  proxyUrl: string;
  /** The ECR registry host it stands for. */
  registryHost: string;
  /** PEM file of the CA that issued the bridge's certificate for the ECR host. */
  caFile: string;
  /** Every manifest push it recorded in ECR, in order. */
  pushes: RecordedPush[];
  /** Every request it refused (`CONNECT host:port`, `GET http://other/...`). */
  refused: string[];
  close(): Promise<void>;
}

export interface BridgeOptions {
  /** `<account>.dkr.ecr.<region>.amazonaws.com` */
  registryHost: string;
  /** `127.0.0.1:PORT` of the stack's registry. */
  upstream: string;
  /** Records the pushes, with credentials of the account the registry host names. */
  ecr: ECRClient;
  /** Where the CA and the certificate are written. */
  dir: string;
}

export async function startEcrRegistryBridge(options: BridgeOptions): Promise<EcrRegistryBridge> {
  const ca = await createCertificateAuthority(options.dir, 'bridge-ca', 'greenlight-test-ecr-bridge-ca');
  const leaf = await issueLeaf(options.dir, ca.cert, ca.key, {
    name: 'bridge',
    subject: `/CN=${options.registryHost}`,
    usage: 'serverAuth',
    altNames: [`DNS:${options.registryHost}`],
  });
  const secureContext = createSecureContext({ cert: readFileSync(leaf.cert), key: readFileSync(leaf.key) });
  const pushes: RecordedPush[] = [];
  const refused: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((request, response) => {
    forward(request, response, options, { pushes, refused }).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(502, { 'content-type': 'text/plain' });
      response.end(`ecr-registry-bridge: ${String(error)}\n`);
    });
  });
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  };
  server.on('connection', track);
  server.on('connect', (request: IncomingMessage, socket: Socket, head: Buffer) => {
    if (request.url !== `${options.registryHost}:443`) {
      refused.push(`CONNECT ${request.url ?? ''}`);
      socket.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    // The tunnel ends here: TLS as the ECR host, then the same HTTP server reads the requests.
    socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    if (head.length > 0) socket.unshift(head);
    const tls = new TLSSocket(socket, { isServer: true, secureContext });
    track(tls);
    server.emit('connection', tls);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    proxyUrl: `http://127.0.0.1:${port}`,
    registryHost: options.registryHost,
    caFile: ca.cert,
    pushes,
    refused,
    async close() {
      for (const socket of sockets) socket.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}

/** Only requests inside a tunnel to the ECR host are served; plain proxy requests (`GET http://...`) never are. */
function isForRegistry(request: IncomingMessage): boolean {
  return request.socket instanceof TLSSocket && (request.url ?? '').startsWith('/');
}

async function forward(
  request: IncomingMessage,
  response: ServerResponse,
  options: BridgeOptions,
  seen: { pushes: RecordedPush[]; refused: string[] },
): Promise<void> {
  if (!isForRegistry(request)) {
    seen.refused.push(`${request.method} ${request.url}`);
    response.writeHead(403, { 'content-type': 'text/plain' });
    response.end(`ecr-registry-bridge: only ${options.registryHost} is served here\n`);
    return;
  }
  const url = new URL(request.url ?? '/', `https://${options.registryHost}`);
  const manifest = /^\/v2\/(.+)\/manifests\/([^/]+)$/.exec(url.pathname);
  const recording = request.method === 'PUT' && manifest !== null;
  const body = recording ? await readBounded(request, MAX_MANIFEST_BYTES) : undefined;
  const upstream = await sendUpstream(request, `${url.pathname}${url.search}`, options.upstream, body);
  if (recording && manifest?.[1] && manifest[2] && upstream.statusCode === 201 && body) {
    const mediaType = request.headers['content-type'] ?? '';
    seen.pushes.push(
      await recordInEcr(
        options.ecr,
        { repository: manifest[1], reference: manifest[2], mediaType },
        body,
        upstream,
      ),
    );
  }
  response.writeHead(upstream.statusCode ?? 502, withoutHopByHop(upstream.headers));
  upstream.pipe(response);
}

/**
 * Sends the request on to the registry. The Host header stays the ECR host and the scheme
 * is given as https, so the registry's Location headers name `https://<ECR host>/...` too.
 */
function sendUpstream(
  request: IncomingMessage,
  path: string,
  upstream: string,
  body: Buffer | undefined,
): Promise<IncomingMessage> {
  const [hostname, port] = upstream.split(':');
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      {
        hostname,
        port: Number(port),
        method: request.method,
        path,
        headers: { ...withoutHopByHop(request.headers), 'x-forwarded-proto': 'https' },
      },
      resolve,
    );
    outgoing.on('error', reject);
    if (body) outgoing.end(body);
    else request.pipe(outgoing);
  });
}

/** What ECR does when a manifest arrives: the image is recorded under the tag, with the registry's digest. */
async function recordInEcr(
  ecr: ECRClient,
  target: { repository: string; reference: string; mediaType: string },
  body: Buffer,
  upstream: IncomingMessage,
): Promise<RecordedPush> {
  const { repository, reference, mediaType } = target;
  const digest = String(upstream.headers['docker-content-digest'] ?? '');
  const manifest = body.toString('utf8');
  const tag = reference.startsWith('sha256:') ? undefined : reference;
  await ecr.send(
    new PutImageCommand({
      repositoryName: repository,
      imageManifest: manifest,
      imageManifestMediaType: mediaType,
      imageDigest: digest,
      ...(tag ? { imageTag: tag } : {}),
    }),
  );
  return { repository, tag, digest, mediaType };
}

function withoutHopByHop(headers: IncomingMessage['headers']): IncomingMessage['headers'] {
  const kept = { ...headers };
  for (const name of HOP_BY_HOP) delete kept[name];
  return kept;
}

async function readBounded(request: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new Error(`manifest larger than ${limit} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
