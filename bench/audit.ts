/**
 * Counting API requests from the API server's audit log (JSON lines, level Metadata,
 * RequestReceived omitted: see the policy in test/stack/stack.ts). A request is one
 * `ResponseComplete` event; a watch is one request too (verb `watch`, counted apart: the
 * events it streams are not requests and are not in the log).
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';

export interface AuditEvent {
  stage: string;
  verb: string;
  user?: { username?: string };
  objectRef?: { resource?: string; namespace?: string; subresource?: string };
  responseStatus?: { code?: number };
  requestURI?: string;
}

export interface RequestCounts {
  /** requests other than watches (get, list, create, update, patch, delete, ...) */
  requests: number;
  /** watch requests opened */
  watches: number;
  /** responses with status >= 400, except 404 (kubectl apply reads an object before creating it) */
  errors: number;
  /** responses with status 404 */
  notFound: number;
  /** responses with status 429 (throttled by the API server) */
  throttled: number;
  /** requests by verb and resource, e.g. `patch services` */
  byKind: Record<string, number>;
  /** responses >= 400 by status, verb and resource, e.g. `409 update rollouts` */
  failures: Record<string, number>;
}

export function emptyCounts(): RequestCounts {
  return { requests: 0, watches: 0, errors: 0, notFound: 0, throttled: 0, byKind: {}, failures: {} };
}

/** Counts the requests of the given users among audit log lines. Pure. */
export function countRequests(lines: Iterable<string>, users: ReadonlySet<string>): RequestCounts {
  const counts = emptyCounts();
  for (const line of lines) {
    if (line.trim() === '') continue;
    const event = JSON.parse(line) as AuditEvent;
    const user = event.user?.username;
    if (user === undefined || !users.has(user)) continue;
    if (event.verb === 'watch') {
      // a watch appears when it opens (ResponseStarted) and when it ends (ResponseComplete)
      if (event.stage === 'ResponseStarted') counts.watches++;
      continue;
    }
    if (event.stage !== 'ResponseComplete' && event.stage !== 'Panic') continue;
    counts.requests++;
    const code = event.responseStatus?.code ?? 0;
    if (code === 404) counts.notFound++;
    else if (code >= 400) counts.errors++;
    if (code === 429) counts.throttled++;
    const resource = event.objectRef?.resource
      ? `${event.objectRef.resource}${event.objectRef.subresource ? `/${event.objectRef.subresource}` : ''}`
      : (event.requestURI?.split('?')[0] ?? '?');
    const kind = `${event.verb} ${resource}`;
    counts.byKind[kind] = (counts.byKind[kind] ?? 0) + 1;
    if (code >= 400) counts.failures[`${code} ${kind}`] = (counts.failures[`${code} ${kind}`] ?? 0) + 1;
  }
  return counts;
}

/**
 * Reads the audit log in windows: `mark()` remembers where the log ends now, `since(mark)`
 * returns the complete lines written after it. The API server writes in blocking mode,
 * so a request is in the log before its response reaches the client.
 */
export class AuditLog {
  readonly path: string;

  constructor(path: string) {
    this.path = path;
  }

  mark(): number {
    return statSync(this.path).size;
  }

  since(offset: number): string[] {
    const end = this.mark();
    if (end <= offset) return [];
    // one byte before the offset tells whether it falls on a line boundary
    const start = Math.max(0, offset - 1);
    const buffer = Buffer.alloc(end - start);
    const fd = openSync(this.path, 'r');
    try {
      readSync(fd, buffer, 0, buffer.length, start);
    } finally {
      closeSync(fd);
    }
    let text = buffer.toString('utf8');
    if (offset > 0) {
      // a line that was being written at the mark belongs to the window before
      const boundary = text.indexOf('\n');
      if (boundary === -1) return [];
      text = text.slice(boundary + 1);
    }
    // a line still being written is left out
    return text.slice(0, text.lastIndexOf('\n') + 1).split('\n');
  }
}
