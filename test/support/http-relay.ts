/**
 * Small pieces of HTTP relaying for the fault proxy (fault-proxy.ts): which headers pass
 * on, a status line for raw sockets, bounded body capture for the records.
 */
import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders } from 'node:http';

/** Bodies kept in the records are cut here: enough for any Kubernetes object, bounded for memory. */
export const BODY_LIMIT = 1024 * 1024;

/** Headers about one connection, not the message (RFC 9110 section 7.6.1): never forwarded as they are. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/** Tests talk to loopback only (TESTING.md): the proxy refuses any other upstream. */
export function assertLoopback(url: URL): void {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (host !== 'localhost' && host !== '::1' && !/^127\.\d+\.\d+\.\d+$/.test(host)) {
    throw new Error(`fault proxy: refusing upstream ${url.href}: tests only talk to loopback`);
  }
}

/** The end-to-end headers; for an upgrade also Connection and Upgrade, which ask for it. */
export function forwardableHeaders(headers: IncomingHttpHeaders, upgrade: boolean): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || name === 'host') continue;
    if (HOP_BY_HOP.has(name) && !(upgrade && (name === 'connection' || name === 'upgrade'))) continue;
    out[name] = value;
  }
  return out;
}

/** The status line and headers of an answer written straight to a socket (upgrade requests). */
export function rawResponseHead(status: number, statusText: string, headers: OutgoingHttpHeaders): string {
  const lines = [`HTTP/1.1 ${status} ${statusText}`];
  for (const [name, value] of Object.entries(headers)) {
    for (const item of Array.isArray(value) ? value : [value]) {
      if (item !== undefined) lines.push(`${name}: ${item}`);
    }
  }
  return `${lines.join('\r\n')}\r\n\r\n`;
}

export interface Capture {
  add(chunk: Buffer): void;
  bytes(): Buffer;
}

/** Keeps at most BODY_LIMIT bytes of what passes. */
export function capture(): Capture {
  const chunks: Buffer[] = [];
  let size = 0;
  return {
    add(chunk) {
      if (size >= BODY_LIMIT) return;
      chunks.push(chunk.subarray(0, BODY_LIMIT - size));
      size += chunk.length;
    },
    bytes: () => Buffer.concat(chunks),
  };
}

/** The request's body (at most BODY_LIMIT bytes kept); an aborted request gives what arrived. */
export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve) => {
    const body = capture();
    req.on('data', (chunk: Buffer) => body.add(chunk));
    req.on('end', () => resolve(body.bytes()));
    req.on('error', () => resolve(body.bytes()));
  });
}

/** Waits `ms`, or less if `signal` aborts first. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
