/**
 * A fault-injecting HTTP(S) proxy for reliability tests (issue 16). It stands in front of
 * one server of the local stack (the kube-apiserver, the registry or moto's ECR), forwards
 * every request, and by rule (fault-rules.ts) answers errors itself, resets connections,
 * delays, hangs, cuts watch streams or answers garbage. It records every request, so a
 * test can count the API writes a command made and see which faults fired, and it can
 * hold all traffic after the nth write (the kill points, kill-points.ts).
 *
 * Written on node:http/https/tls/net rather than taken from a library: the faults need
 * control below what proxy libraries expose (TCP resets after the server answered,
 * cutting a stream after a whole watch event, holding an answer while a process is
 * killed), and the forwarding itself is a few dozen lines.
 *
 * Identity. The proxy terminates TLS, so it cannot pass a client certificate on; instead
 * it is told each identity's certificate and key (`addIdentity`, or `kubeconfigFor` in
 * stack-proxies.ts) and forwards with the identity whose certificate the client
 * presented (matched by fingerprint; the TLS handshake proves the client holds the key).
 * Bearer tokens pass through in the Authorization header. A certificate it does not know
 * is answered 401, so no request reaches the server under the wrong identity.
 */
import { X509Certificate } from 'node:crypto';
import {
  createServer as createHttpServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type ServerResponse,
  STATUS_CODES,
} from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest, type RequestOptions } from 'node:https';
import { createServer as createNetServer, type Server as NetServer, Socket } from 'node:net';
import { createSecureContext, TLSSocket } from 'node:tls';
import { errorAnswer, type ServerFlavor } from './fault-bodies.ts';
import {
  type ActiveRule,
  activateRule,
  type ConflictFault,
  chooseFault,
  type Fault,
  type FaultRule,
  type GarbageFault,
  isWatch,
  isWrite,
  type RequestFacts,
  type StatusFault,
  type ThrottleFault,
} from './fault-rules.ts';
import { type ObjectSummary, summarizeObject } from './kube-object.ts';
import { eventBoundaries } from './watch-events.ts';
import { admit, newWriteGate, type WriteGateState, writeAnswered } from './write-gate.ts';

export type { FaultRule } from './fault-rules.ts';

export type RequestOutcome =
  /** still going (e.g. a watch) */
  | 'pending'
  /** the client got a whole answer, from the server or from a fault rule */
  | 'answered'
  /** the proxy reset the client's connection */
  | 'reset'
  /** a watch stream cut by a rule */
  | 'cut'
  /** held by a hang fault or the write gate, never answered */
  | 'held'
  /** the client went away before its answer was complete */
  | 'client-closed'
  /** the server could not be reached, or broke the connection */
  | 'upstream-error';

export interface RecordedRequest {
  /** 1-based, in the order requests reached the proxy */
  seq: number;
  method: string;
  /** without the query */
  path: string;
  /** the raw query, without `?` */
  query: string;
  /** anything but GET, HEAD and OPTIONS */
  write: boolean;
  watch: boolean;
  /** an Upgrade request (websocket, SPDY) */
  upgrade: boolean;
  /** the identity forwarded with (see addIdentity), null for none (token or anonymous) */
  identity: string | null;
  /** the rule that fired on it, null if none did */
  fault: string | null;
  faultKind: Fault['kind'] | null;
  /** the request reached the server */
  forwarded: boolean;
  /** the status the server answered, null if it did not (or not yet) */
  upstreamStatus: number | null;
  /** the status the client was sent, null if none (reset, held) */
  status: number | null;
  outcome: RequestOutcome;
  /** watch events passed to the client */
  events: number;
  /** writes only: request and response bodies (the first MiB of each) */
  requestBody?: Buffer;
  responseBody?: Buffer;
  /** writes only: the object sent and the object the server answered (JSON or protobuf bodies) */
  requestObject?: ObjectSummary;
  responseObject?: ObjectSummary;
}

export interface Identity {
  /** shows in the records */
  name: string;
  /** PEM */
  cert: string;
  key: string;
}

export interface FaultProxyOptions {
  /** the server behind the proxy, `http://127.0.0.1:PORT` or `https://...`; loopback only */
  upstream: string;
  /** which error bodies the proxy's own answers carry */
  flavor: ServerFlavor;
  /** serve HTTPS with this certificate and key (PEM); plain HTTP when absent */
  serve?: { cert: string; key: string };
  /** PEM of the CA that signed the upstream's certificate (https upstreams) */
  upstreamCa?: string;
  /** PEM of the CAs whose client certificates the proxy asks for (default: upstreamCa) */
  clientCa?: string;
}

export interface RuleHandle {
  readonly name: string;
  /** how many requests the rule matched so far */
  matched(): number;
  /** how many times it fired */
  fired(): number;
  remove(): void;
}

export interface WriteGate {
  /** true once the gate let its n writes through, the server answered them all, and onStop was called */
  fired(): boolean;
  /** settles once onStop has finished (rejects with its error); pending while the gate has not fired */
  whenStopped(): Promise<void>;
  /** opens the gate: held requests are reset, new ones pass */
  remove(): void;
}

export interface FaultProxy {
  /** `http(s)://127.0.0.1:PORT` */
  readonly url: string;
  /** `127.0.0.1:PORT` */
  readonly host: string;
  readonly flavor: ServerFlavor;
  /** forward requests whose client certificate is `identity.cert` with that certificate and key */
  addIdentity(identity: Identity): void;
  addRule(rule: FaultRule): RuleHandle;
  clearRules(): void;
  /** copies of every record so far */
  requests(): RecordedRequest[];
  /** the writes that reached the server, in order */
  writes(): RecordedRequest[];
  clearRecords(): void;
  /** resolves with the first record (past or future) that satisfies `predicate`; bounded by `timeoutMs` */
  waitForRequest(
    predicate: (request: RecordedRequest) => boolean,
    options?: { timeoutMs?: number; what?: string },
  ): Promise<RecordedRequest>;
  /** see write-gate.ts; one gate at a time */
  stopAfterWrites(n: number, onStop: () => Promise<void> | void): WriteGate;
  close(): Promise<void>;
}

const BODY_LIMIT = 1024 * 1024;
const DEFAULT_HANG_MS = 120_000;
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

function assertLoopback(url: URL): void {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (host !== 'localhost' && host !== '::1' && !/^127\.\d+\.\d+\.\d+$/.test(host)) {
    throw new Error(`fault proxy: refusing upstream ${url.href}: tests only talk to loopback`);
  }
}

function forwardableHeaders(headers: IncomingHttpHeaders, upgrade: boolean): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || name === 'host') continue;
    if (HOP_BY_HOP.has(name) && !(upgrade && (name === 'connection' || name === 'upgrade'))) continue;
    out[name] = value;
  }
  return out;
}

/** The status line and headers of an answer written straight to a socket (upgrade requests). */
function rawResponse(status: number, statusText: string, headers: OutgoingHttpHeaders): string {
  const lines = [`HTTP/1.1 ${status} ${statusText}`];
  for (const [name, value] of Object.entries(headers)) {
    for (const item of Array.isArray(value) ? value : [value]) {
      if (item !== undefined) lines.push(`${name}: ${item}`);
    }
  }
  return `${lines.join('\r\n')}\r\n\r\n`;
}

/** An answer the proxy gives by itself. */
interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string | Buffer;
}

/** Keeps at most BODY_LIMIT bytes of what passes, for the records. */
function capture(): { add(chunk: Buffer): void; bytes(): Buffer } {
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

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve) => {
    const body = capture();
    req.on('data', (chunk: Buffer) => body.add(chunk));
    req.on('end', () => resolve(body.bytes()));
    req.on('error', () => resolve(body.bytes()));
  });
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const upstream = new URL(options.upstream);
  assertLoopback(upstream);
  const upstreamTls = upstream.protocol === 'https:';
  const secureContext = options.serve
    ? createSecureContext({
        cert: options.serve.cert,
        key: options.serve.key,
        ...((options.clientCa ?? options.upstreamCa) ? { ca: options.clientCa ?? options.upstreamCa } : {}),
      })
    : undefined;

  const rules: ActiveRule[] = [];
  let rulesAdded = 0;
  const records: RecordedRequest[] = [];
  let seq = 0;
  const waiters = new Set<() => void>();
  const notify = () => {
    for (const waiter of [...waiters]) waiter();
  };
  const identities = new Map<string, Identity>(); // by certificate fingerprint
  const agents = new Map<string, HttpsAgent>();
  const rawSockets = new WeakMap<Socket, Socket>(); // TLS socket -> its TCP socket (for resets)
  const identityOfRecord = new WeakMap<RecordedRequest, Identity>();
  const gatedWrites = new WeakSet<RecordedRequest>(); // writes the current gate let through
  const openSockets = new Set<Socket>();
  const held = new Set<() => void>(); // resets of requests held by a hang or the gate
  const closing = new AbortController();
  let gate: { state: WriteGateState; onStop: () => Promise<void> | void; stopped: Promise<void> } | undefined;
  let settleStop: { resolve(): void; reject(error: unknown): void } | undefined;

  const resetSocket = (socket: Socket) => {
    const raw = rawSockets.get(socket) ?? socket;
    if (raw.destroyed) return;
    try {
      raw.resetAndDestroy();
    } catch {
      raw.destroy(); // not a TCP socket (already closing): a plain close is the closest
    }
    socket.destroy();
  };

  const agentFor = (identity: Identity | null): HttpsAgent => {
    const key = identity?.name ?? '';
    let agent = agents.get(key);
    if (!agent) {
      agent = new HttpsAgent({
        keepAlive: true,
        ...(options.upstreamCa ? { ca: options.upstreamCa } : {}),
        ...(identity ? { cert: identity.cert, key: identity.key } : {}),
      });
      agents.set(key, agent);
    }
    return agent;
  };

  /** The identity to forward with: the registered one whose certificate the client showed. */
  const identityOf = (socket: Socket): { identity: Identity | null; unknown?: string } => {
    if (!(socket instanceof TLSSocket)) return { identity: null };
    const peer = socket.getPeerCertificate();
    if (!peer?.fingerprint256) return { identity: null };
    const identity = identities.get(peer.fingerprint256);
    return identity ? { identity } : { identity: null, unknown: `subject ${peer.subject?.CN ?? '?'}` };
  };

  const newRecord = (req: IncomingMessage, upgrade: boolean): RecordedRequest => {
    const url = new URL(req.url ?? '/', 'http://proxy.invalid');
    const method = (req.method ?? 'GET').toUpperCase();
    const record: RecordedRequest = {
      seq: ++seq,
      method,
      path: url.pathname,
      query: url.search.replace(/^\?/, ''),
      write: isWrite(method),
      watch: isWatch(url.searchParams),
      upgrade,
      identity: null,
      fault: null,
      faultKind: null,
      forwarded: false,
      upstreamStatus: null,
      status: null,
      outcome: 'pending',
      events: 0,
    };
    records.push(record);
    return record;
  };

  const update = (record: RecordedRequest, change: Partial<RecordedRequest>) => {
    Object.assign(record, change);
    notify();
  };

  const factsOf = (req: IncomingMessage, record: RecordedRequest): RequestFacts => ({
    method: record.method,
    path: record.path,
    query: new URLSearchParams(record.query),
    headers: req.headers,
  });

  const hold = (record: RecordedRequest, socket: Socket, maxMs: number) => {
    update(record, { outcome: 'held' });
    const release = () => {
      clearTimeout(timer);
      held.delete(release);
      resetSocket(socket);
    };
    const timer = setTimeout(release, maxMs);
    held.add(release);
    socket.once('close', () => {
      clearTimeout(timer);
      held.delete(release);
    });
  };

  /** The answer of a fault that answers by itself. */
  const faultAnswer = (
    fault: StatusFault | ThrottleFault | ConflictFault | GarbageFault,
    record: RecordedRequest,
    body: Buffer,
    random: () => number,
  ): Answer => {
    const request = { path: record.path, body };
    switch (fault.kind) {
      case 'status':
        return errorAnswer(
          options.flavor,
          {
            status: fault.status,
            ...(fault.message ? { message: fault.message } : {}),
            ...(fault.retryAfterSeconds !== undefined ? { retryAfterSeconds: fault.retryAfterSeconds } : {}),
          },
          request,
        );
      case 'throttle':
        return errorAnswer(
          options.flavor,
          {
            status: 429,
            retryAfterSeconds: fault.retryAfterSeconds,
            ...(fault.message ? { message: fault.message } : {}),
          },
          request,
        );
      case 'conflict':
        return errorAnswer(
          options.flavor,
          {
            status: 409,
            reason: fault.reason ?? 'Conflict',
            ...(fault.message ? { message: fault.message } : {}),
          },
          request,
        );
      case 'garbage': {
        return {
          status: fault.status ?? 200,
          headers: { 'content-type': fault.contentType ?? 'application/json' },
          body: fault.body ?? Buffer.from(Array.from({ length: 256 }, () => Math.floor(random() * 256))),
        };
      }
    }
  };

  const sendAnswer = (target: ServerResponse | Socket, record: RecordedRequest, answer: Answer) => {
    const body = typeof answer.body === 'string' ? Buffer.from(answer.body) : answer.body;
    const headers = { ...answer.headers, 'content-length': String(body.length) };
    if (target instanceof Socket) {
      target.write(rawResponse(answer.status, STATUS_CODES[answer.status] ?? 'Fault', headers));
      target.end(body);
    } else {
      target.writeHead(answer.status, headers);
      target.end(body);
    }
    update(record, { status: answer.status, outcome: 'answered' });
  };

  /**
   * What happens before forwarding, shared by plain and upgrade requests: the gate, then
   * the rules. Returns the fault left for the forwarding step (reset-after, cut-watch), or
   * `handled` when the request was answered, reset or held here.
   */
  const preflight = async (
    req: IncomingMessage,
    record: RecordedRequest,
    target: ServerResponse | Socket,
  ): Promise<{ handled: true } | { handled: false; fault: Fault | undefined }> => {
    const socket = target instanceof Socket ? target : target.socket;
    if (!socket) return { handled: true };
    const who = identityOf(req.socket);
    record.identity = who.identity?.name ?? null;
    if (who.identity) identityOfRecord.set(record, who.identity);
    if (who.unknown) {
      const answer = errorAnswer(
        options.flavor,
        {
          status: 401,
          message: `fault proxy: the client certificate (${who.unknown}) is not a registered identity`,
        },
        { path: record.path, body: Buffer.alloc(0) },
      );
      sendAnswer(target, record, answer);
      return { handled: true };
    }
    if (gate?.state.closed) {
      hold(record, socket, DEFAULT_HANG_MS); // after the gate's nth write nothing more passes
      return { handled: true };
    }
    const rule = chooseFault(rules, factsOf(req, record));
    if (!rule) return admitted(record, socket) ? { handled: false, fault: undefined } : { handled: true };
    const fault = rule.rule.fault;
    update(record, { fault: rule.name, faultKind: fault.kind });
    if (fault.kind === 'reset' && fault.when === 'before') {
      resetSocket(socket);
      update(record, { outcome: 'reset' });
      return { handled: true };
    }
    if (fault.kind === 'hang') {
      hold(record, socket, fault.maxMs ?? DEFAULT_HANG_MS);
      return { handled: true };
    }
    if (fault.kind === 'delay') {
      const gone = new AbortController();
      socket.once('close', () => gone.abort());
      await sleep(fault.ms, AbortSignal.any([gone.signal, closing.signal]));
      if (socket.destroyed) {
        update(record, { outcome: 'client-closed' });
        return { handled: true };
      }
      return admitted(record, socket) ? { handled: false, fault: undefined } : { handled: true };
    }
    if (fault.kind === 'reset' || fault.kind === 'cut-watch') {
      return admitted(record, socket) ? { handled: false, fault } : { handled: true }; // act on the answer
    }
    // the proxy answers by itself; an upgrade request has no body to read first
    const body = target instanceof Socket ? Buffer.alloc(0) : await readBody(req);
    sendAnswer(target, record, faultAnswer(fault, record, body, rule.random));
    return { handled: true };
  };

  /** Right before a request goes to the server: the gate counts writes, and holds what comes after its nth. */
  const admitted = (record: RecordedRequest, socket: Socket): boolean => {
    if (!gate) return true;
    if (admit(gate.state, record.write) === 'forward') {
      if (record.write) gatedWrites.add(record);
      return true;
    }
    hold(record, socket, DEFAULT_HANG_MS);
    return false;
  };

  const upstreamOptions = (
    req: IncomingMessage,
    record: RecordedRequest,
    upgrade: boolean,
  ): RequestOptions => {
    const identity = identityOfRecord.get(record) ?? null;
    const base = {
      host: upstream.hostname,
      port: upstream.port,
      method: record.method,
      path: req.url ?? '/',
      // the client's Host goes on, so servers that build URLs from it (the registry's upload
      // Location) send the client back through the proxy
      headers: { ...forwardableHeaders(req.headers, upgrade), host: req.headers.host ?? upstream.host },
    };
    if (!upstreamTls) return upgrade ? { ...base, agent: false } : base;
    // an upgraded connection is taken over for good: never from the keep-alive pool
    if (!upgrade) return { ...base, agent: agentFor(identity) };
    return {
      ...base,
      agent: false,
      ...(options.upstreamCa ? { ca: options.upstreamCa } : {}),
      ...(identity ? { cert: identity.cert, key: identity.key } : {}),
    };
  };

  const sendUpstream = (opts: RequestOptions) => (upstreamTls ? httpsRequest(opts) : httpRequest(opts));

  /** The server answered a write: the gate may withhold the answer and stop (the kill). */
  const gateOnWriteAnswered = (record: RecordedRequest, socket: Socket): boolean => {
    const current = gate;
    if (!current || !gatedWrites.has(record)) return false;
    gatedWrites.delete(record);
    const { withhold, stop } = writeAnswered(current.state);
    if (withhold) hold(record, socket, DEFAULT_HANG_MS);
    if (stop) {
      Promise.resolve()
        .then(current.onStop)
        .then(
          () => settleStop?.resolve(),
          (error: unknown) => settleStop?.reject(error),
        );
    }
    return withhold;
  };

  const forward = (req: IncomingMessage, res: ServerResponse, record: RecordedRequest, fault?: Fault) => {
    const socket = res.socket as Socket;
    const upstreamReq = sendUpstream(upstreamOptions(req, record, false));
    const requestBody = capture();
    update(record, { forwarded: true });
    req.on('data', (chunk: Buffer) => {
      if (record.write) requestBody.add(chunk);
    });
    req.pipe(upstreamReq);
    res.on('close', () => {
      if (record.outcome === 'pending') update(record, { outcome: 'client-closed' });
      upstreamReq.destroy();
    });
    upstreamReq.on('error', (error) => {
      if (record.outcome !== 'pending') return;
      // a write the server may or may not have applied: for the gate it is done
      if (record.upstreamStatus === null && gateOnWriteAnswered(record, socket)) return;
      if (res.headersSent) {
        resetSocket(socket);
      } else {
        const answer = errorAnswer(
          options.flavor,
          { status: 502, message: `fault proxy: the server did not answer: ${error.message}` },
          { path: record.path, body: Buffer.alloc(0) },
        );
        sendAnswer(res, record, answer);
      }
      update(record, { outcome: 'upstream-error' });
    });
    upstreamReq.on('response', (upRes) => {
      update(record, { upstreamStatus: upRes.statusCode ?? 0 });
      // writes: the whole answer is taken first, so the gate and reset-after act once the server is done
      if (record.write || fault?.kind === 'reset') {
        relayWhole(upRes, res, record, socket, requestBody.bytes(), fault);
      } else {
        relayStream(upRes, res, record, fault);
      }
    });
  };

  const recordBodies = (record: RecordedRequest, requestBody: Buffer, responseBody: Buffer) => {
    const requestObject = summarizeObject(requestBody);
    const responseObject = summarizeObject(responseBody);
    update(record, {
      requestBody,
      responseBody,
      ...(requestObject ? { requestObject } : {}),
      ...(responseObject ? { responseObject } : {}),
    });
  };

  const relayWhole = (
    upRes: IncomingMessage,
    res: ServerResponse,
    record: RecordedRequest,
    socket: Socket,
    requestBody: Buffer,
    fault: Fault | undefined,
  ) => {
    const body = capture();
    const chunks: Buffer[] = [];
    upRes.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      body.add(chunk);
    });
    upRes.on('end', () => {
      if (record.write) recordBodies(record, requestBody, body.bytes());
      if (gateOnWriteAnswered(record, socket)) return;
      if (fault?.kind === 'reset') {
        resetSocket(socket);
        update(record, { outcome: 'reset' });
        return;
      }
      res.writeHead(upRes.statusCode ?? 502, forwardableHeaders(upRes.headers, false));
      res.end(Buffer.concat(chunks));
      update(record, { status: upRes.statusCode ?? 502, outcome: 'answered' });
    });
  };

  const relayStream = (
    upRes: IncomingMessage,
    res: ServerResponse,
    record: RecordedRequest,
    fault?: Fault,
  ) => {
    res.writeHead(upRes.statusCode ?? 502, forwardableHeaders(upRes.headers, false));
    res.flushHeaders();
    update(record, { status: upRes.statusCode ?? 502 });
    const cut = fault?.kind === 'cut-watch' && (upRes.statusCode ?? 0) < 300 ? fault : undefined;
    const boundaries = record.watch ? eventBoundaries(upRes.headers['content-type']) : undefined;
    upRes.on('data', (chunk: Buffer) => {
      if (record.outcome !== 'pending') return;
      const ends = boundaries?.feed(chunk) ?? [];
      if (cut && record.events + ends.length >= cut.afterEvents) {
        const last = ends[cut.afterEvents - record.events - 1] ?? chunk.length;
        record.events = cut.afterEvents;
        upRes.destroy();
        update(record, { outcome: 'cut' });
        if (cut.mode === 'end') {
          res.end(chunk.subarray(0, last));
        } else {
          // once the Kth event is with the kernel, close: the data arrives, then the end of a
          // stream whose chunked body never finished (a reset could drop the data in flight)
          const socket = res.socket as Socket;
          res.write(chunk.subarray(0, last), () => socket.destroy());
        }
        return;
      }
      record.events += ends.length;
      res.write(chunk);
      if (ends.length > 0) notify();
    });
    upRes.on('end', () => {
      if (record.outcome !== 'pending') return;
      res.end();
      update(record, { outcome: 'answered' });
    });
    upRes.on('error', () => {
      if (record.outcome !== 'pending') return;
      resetSocket(res.socket as Socket);
      update(record, { outcome: 'upstream-error' });
    });
  };

  const forwardUpgrade = (req: IncomingMessage, client: Socket, head: Buffer, record: RecordedRequest) => {
    const upstreamReq = sendUpstream(upstreamOptions(req, record, true));
    update(record, { forwarded: true });
    upstreamReq.on('upgrade', (upRes, upSocket, upHead) => {
      update(record, { upstreamStatus: upRes.statusCode ?? 101, status: upRes.statusCode ?? 101 });
      client.write(rawResponse(101, 'Switching Protocols', upRes.headers));
      if (upHead.length > 0) client.write(upHead);
      if (head.length > 0) upSocket.write(head);
      upSocket.pipe(client).pipe(upSocket);
      const done = (outcome: RequestOutcome) => {
        if (record.outcome === 'pending') update(record, { outcome });
        upSocket.destroy();
        client.destroy();
      };
      upSocket.on('close', () => done('answered'));
      client.on('close', () => done('answered'));
      upSocket.on('error', () => done('upstream-error'));
      client.on('error', () => done('client-closed'));
    });
    upstreamReq.on('response', (upRes) => {
      // the server refused the upgrade: pass its answer on as it is
      const chunks: Buffer[] = [];
      upRes.on('data', (chunk: Buffer) => chunks.push(chunk));
      upRes.on('end', () => {
        const body = Buffer.concat(chunks);
        const headers = {
          ...forwardableHeaders(upRes.headers, false),
          'content-length': String(body.length),
        };
        client.write(rawResponse(upRes.statusCode ?? 502, upRes.statusMessage ?? '', headers));
        client.end(body);
        update(record, {
          upstreamStatus: upRes.statusCode ?? 0,
          status: upRes.statusCode ?? 0,
          outcome: 'answered',
        });
      });
    });
    upstreamReq.on('error', () => {
      client.destroy();
      update(record, { outcome: 'upstream-error' });
    });
    req.pipe(upstreamReq);
  };

  const http = createHttpServer();
  http.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const record = newRecord(req, false);
    preflight(req, record, res).then(
      (step) => {
        if (!step.handled) forward(req, res, record, step.fault);
      },
      () => resetSocket(req.socket),
    );
  });
  http.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    const record = newRecord(req, true);
    socket.on('error', () => socket.destroy());
    preflight(req, record, socket).then(
      (step) => {
        if (!step.handled) forwardUpgrade(req, socket, head, record);
      },
      () => resetSocket(socket),
    );
  });
  http.on('clientError', (_error, socket: Socket) => socket.destroy());
  // watches stay open for as long as the client keeps them
  http.requestTimeout = 0;
  http.headersTimeout = 30_000;

  const server: NetServer = createNetServer((raw) => {
    openSockets.add(raw);
    raw.on('close', () => openSockets.delete(raw));
    raw.on('error', () => raw.destroy());
    if (!secureContext) {
      http.emit('connection', raw);
      return;
    }
    const tls = new TLSSocket(raw, {
      isServer: true,
      secureContext,
      requestCert: true,
      rejectUnauthorized: false, // identities are checked by fingerprint (see above)
      ALPNProtocols: ['http/1.1'],
    });
    rawSockets.set(tls, raw);
    tls.on('error', () => raw.destroy());
    http.emit('connection', tls);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('fault proxy: no TCP address');
  const host = `127.0.0.1:${address.port}`;

  return {
    url: `${secureContext ? 'https' : 'http'}://${host}`,
    host,
    flavor: options.flavor,
    addIdentity(identity) {
      identities.set(new X509Certificate(identity.cert).fingerprint256, identity);
    },
    addRule(rule) {
      const active = activateRule(rule, rulesAdded++);
      rules.push(active);
      return {
        name: active.name,
        matched: () => active.matched,
        fired: () => active.fired,
        remove: () => {
          const index = rules.indexOf(active);
          if (index >= 0) rules.splice(index, 1);
        },
      };
    },
    clearRules() {
      rules.length = 0;
    },
    requests: () => records.map((record) => ({ ...record })),
    writes: () =>
      records.filter((record) => record.write && record.forwarded).map((record) => ({ ...record })),
    clearRecords() {
      records.length = 0;
    },
    waitForRequest(predicate, waitOptions = {}) {
      const timeoutMs = waitOptions.timeoutMs ?? 30_000;
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = records.find(predicate);
          if (!found) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve({ ...found });
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(
            new Error(
              `fault proxy: no request ${waitOptions.what ?? 'matching'} within ${timeoutMs} ms; seen: ${records
                .map((r) => `${r.method} ${r.path}?${r.query} -> ${r.status ?? r.outcome}`)
                .join('; ')}`,
            ),
          );
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    stopAfterWrites(n, onStop) {
      if (gate) throw new Error('fault proxy: a write gate is already set; remove it first');
      const stopped = new Promise<void>((resolve, reject) => {
        settleStop = { resolve, reject };
      });
      stopped.catch(() => {}); // read through whenStopped()
      const current = { state: newWriteGate(n), onStop, stopped };
      gate = current;
      return {
        fired: () => current.state.stopping,
        whenStopped: () => current.stopped,
        remove: () => {
          if (gate !== current) return;
          gate = undefined;
          for (const release of [...held]) release();
        },
      };
    },
    async close() {
      closing.abort();
      for (const release of [...held]) release();
      for (const socket of openSockets) socket.destroy();
      for (const agent of agents.values()) agent.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
