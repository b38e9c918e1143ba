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
  type ClientRequest,
  createServer as createHttpServer,
  type Server as HttpServer,
  request as httpRequest,
  type IncomingMessage,
  type ServerResponse,
  STATUS_CODES,
} from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest, type RequestOptions } from 'node:https';
import { createServer as createNetServer, type Server as NetServer, Socket } from 'node:net';
import { createSecureContext, type SecureContext, TLSSocket } from 'node:tls';
import { type Answer, answerFor, errorAnswer, isAnsweringFault, type ServerFlavor } from './fault-bodies.ts';
import {
  type ActiveRule,
  activateRule,
  type CutWatchFault,
  chooseFault,
  type Fault,
  type FaultRule,
  isWatch,
  isWrite,
} from './fault-rules.ts';
import {
  assertLoopback,
  BODY_LIMIT,
  capture,
  forwardableHeaders,
  rawResponseHead,
  readBody,
  sleep,
} from './http-relay.ts';
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
  /** when the request reached the proxy (ms since the epoch, this process's clock) */
  at: number;
  /** when the server's answer was complete at the proxy (or its failure), null if the server was not asked or has not answered */
  answeredAt: number | null;
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

/** How long a held request (hang fault, write gate) stays open at most before it is reset. */
const DEFAULT_HANG_MS = 120_000;

/** What preflight leaves for the forwarding step: nothing (handled here), or go on with a fault to apply later. */
type Step = { handled: true } | { handled: false; fault: Fault | undefined };

const HANDLED: Step = { handled: true };

interface Gate {
  state: WriteGateState;
  onStop: () => Promise<void> | void;
  stopped: Promise<void>;
  settle: { resolve(): void; reject(error: unknown): void };
}

/**
 * One proxy: listens on 127.0.0.1 (a port chosen by the kernel) and forwards to one
 * upstream. Create it with startFaultProxy.
 */
export class FaultProxy {
  readonly flavor: ServerFlavor;
  #url = '';
  #host = '';
  readonly #options: FaultProxyOptions;
  readonly #upstream: URL;
  readonly #secureContext: SecureContext | undefined;
  readonly #rules: ActiveRule[] = [];
  #rulesAdded = 0;
  readonly #records: RecordedRequest[] = [];
  #seq = 0;
  readonly #waiters = new Set<() => void>();
  readonly #identities = new Map<string, Identity>(); // by certificate fingerprint
  readonly #identityOfRecord = new WeakMap<RecordedRequest, Identity>();
  readonly #agents = new Map<string, HttpsAgent>();
  readonly #rawSockets = new WeakMap<Socket, Socket>(); // TLS socket -> its TCP socket (for resets)
  readonly #openSockets = new Set<Socket>();
  readonly #held = new Set<() => void>(); // resets of the requests held now
  readonly #closing = new AbortController();
  #gate: Gate | undefined;
  readonly #gatedWrites = new WeakSet<RecordedRequest>(); // writes the current gate let through
  readonly #http: HttpServer;
  readonly #server: NetServer;

  constructor(options: FaultProxyOptions) {
    this.#options = options;
    this.flavor = options.flavor;
    this.#upstream = new URL(options.upstream);
    assertLoopback(this.#upstream);
    const clientCa = options.clientCa ?? options.upstreamCa;
    this.#secureContext = options.serve
      ? createSecureContext({ ...options.serve, ...(clientCa ? { ca: clientCa } : {}) })
      : undefined;
    this.#http = createHttpServer();
    this.#http.on('request', (req: IncomingMessage, res: ServerResponse) => this.#onRequest(req, res));
    this.#http.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) =>
      this.#onUpgrade(req, socket, head),
    );
    this.#http.on('clientError', (_error, socket: Socket) => socket.destroy());
    this.#http.requestTimeout = 0; // watches stay open for as long as the client keeps them
    this.#http.headersTimeout = 30_000;
    this.#server = createNetServer((raw) => this.#onConnection(raw));
  }

  /** `http(s)://127.0.0.1:PORT` */
  get url(): string {
    return this.#url;
  }

  /** `127.0.0.1:PORT` */
  get host(): string {
    return this.#host;
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(0, '127.0.0.1', () => resolve());
    });
    const address = this.#server.address();
    if (!address || typeof address === 'string') throw new Error('fault proxy: no TCP address');
    this.#host = `127.0.0.1:${address.port}`;
    this.#url = `${this.#secureContext ? 'https' : 'http'}://${this.#host}`;
  }

  /** Requests whose client certificate is `identity.cert` are forwarded with that certificate and key. */
  addIdentity(identity: Identity): void {
    this.#identities.set(new X509Certificate(identity.cert).fingerprint256, identity);
  }

  addRule(rule: FaultRule): RuleHandle {
    const active = activateRule(rule, this.#rulesAdded++);
    this.#rules.push(active);
    return {
      name: active.name,
      matched: () => active.matched,
      fired: () => active.fired,
      remove: () => {
        const index = this.#rules.indexOf(active);
        if (index >= 0) this.#rules.splice(index, 1);
      },
    };
  }

  clearRules(): void {
    this.#rules.length = 0;
  }

  /** Copies of every record so far, in arrival order. */
  requests(): RecordedRequest[] {
    return this.#records.map((record) => ({ ...record }));
  }

  /** The writes that reached the server, in order. */
  writes(): RecordedRequest[] {
    return this.requests().filter((record) => record.write && record.forwarded);
  }

  clearRecords(): void {
    this.#records.length = 0;
  }

  /** The first record (past or future) that satisfies `predicate`; rejects after `timeoutMs` (default 30 s). */
  waitForRequest(
    predicate: (request: RecordedRequest) => boolean,
    options: { timeoutMs?: number; what?: string } = {},
  ): Promise<RecordedRequest> {
    const timeoutMs = options.timeoutMs ?? 30_000;
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.#records.find(predicate);
        if (!found) return;
        this.#waiters.delete(check);
        clearTimeout(timer);
        resolve({ ...found });
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(check);
        const seen = this.#records.map((r) => `${r.method} ${r.path}?${r.query} -> ${r.status ?? r.outcome}`);
        const what = options.what ?? 'matching';
        reject(new Error(`fault proxy: no request ${what} within ${timeoutMs} ms; seen: ${seen.join('; ')}`));
      }, timeoutMs);
      this.#waiters.add(check);
      check();
    });
  }

  /**
   * Lets exactly `n` writes reach the server, holds every request after the nth, and once
   * the server has answered all n calls `onStop` before their answers go out (see
   * write-gate.ts). One gate at a time.
   */
  stopAfterWrites(n: number, onStop: () => Promise<void> | void): WriteGate {
    if (this.#gate) throw new Error('fault proxy: a write gate is already set; remove it first');
    let settle: Gate['settle'] = { resolve: () => {}, reject: () => {} };
    const stopped = new Promise<void>((resolve, reject) => {
      settle = { resolve, reject };
    });
    stopped.catch(() => {}); // read through whenStopped()
    const gate: Gate = { state: newWriteGate(n), onStop, stopped, settle };
    this.#gate = gate;
    return {
      fired: () => gate.state.stopping,
      whenStopped: () => gate.stopped,
      remove: () => {
        if (this.#gate !== gate) return;
        this.#gate = undefined;
        this.#releaseHeld();
      },
    };
  }

  async close(): Promise<void> {
    this.#closing.abort();
    this.#releaseHeld();
    for (const socket of this.#openSockets) socket.destroy();
    for (const agent of this.#agents.values()) agent.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  // ---- connections and what happens before forwarding

  #onConnection(raw: Socket): void {
    this.#openSockets.add(raw);
    raw.on('close', () => this.#openSockets.delete(raw));
    raw.on('error', () => raw.destroy());
    if (!this.#secureContext) {
      this.#http.emit('connection', raw);
      return;
    }
    const tls = new TLSSocket(raw, {
      isServer: true,
      secureContext: this.#secureContext,
      requestCert: true,
      rejectUnauthorized: false, // identities are checked by fingerprint (see the top of this file)
      ALPNProtocols: ['http/1.1'],
    });
    this.#rawSockets.set(tls, raw);
    tls.on('error', () => raw.destroy());
    this.#http.emit('connection', tls);
  }

  #onRequest(req: IncomingMessage, res: ServerResponse): void {
    const record = this.#newRecord(req, false);
    this.#preflight(req, record, res).then(
      (step) => {
        if (!step.handled) this.#forward(req, res, record, step.fault);
      },
      () => this.#reset(req.socket),
    );
  }

  #onUpgrade(req: IncomingMessage, socket: Socket, head: Buffer): void {
    const record = this.#newRecord(req, true);
    socket.on('error', () => socket.destroy());
    this.#preflight(req, record, socket).then(
      (step) => {
        if (!step.handled) this.#forwardUpgrade(req, socket, head, record);
      },
      () => this.#reset(socket),
    );
  }

  #newRecord(req: IncomingMessage, upgrade: boolean): RecordedRequest {
    const url = new URL(req.url ?? '/', 'http://proxy.invalid');
    const method = (req.method ?? 'GET').toUpperCase();
    const record: RecordedRequest = {
      seq: ++this.#seq,
      at: Date.now(),
      answeredAt: null,
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
    this.#records.push(record);
    return record;
  }

  #update(record: RecordedRequest, change: Partial<RecordedRequest>): void {
    Object.assign(record, change);
    for (const waiter of [...this.#waiters]) waiter();
  }

  /**
   * Before forwarding, for plain and upgrade requests alike: the identity, the gate, then
   * the rules. Handles the request here (answered, reset, held) or says to forward it,
   * with the fault still to apply to the answer (reset-after, cut-watch).
   */
  async #preflight(
    req: IncomingMessage,
    record: RecordedRequest,
    target: ServerResponse | Socket,
  ): Promise<Step> {
    const socket = target instanceof Socket ? target : target.socket;
    if (!socket || !this.#takeIdentity(req, record, target)) return HANDLED;
    if (this.#gate?.state.closed) {
      this.#hold(record, socket, DEFAULT_HANG_MS); // after the gate's nth write nothing more passes
      return HANDLED;
    }
    const facts = {
      method: record.method,
      path: record.path,
      query: new URLSearchParams(record.query),
      headers: req.headers,
    };
    const rule = chooseFault(this.#rules, facts);
    if (!rule) return this.#admitted(record, socket) ? { handled: false, fault: undefined } : HANDLED;
    this.#update(record, { fault: rule.name, faultKind: rule.rule.fault.kind });
    return this.#applyBeforeForwarding(req, record, target, socket, rule);
  }

  /** Faults that act before the server is asked; the others go on to forwarding. */
  async #applyBeforeForwarding(
    req: IncomingMessage,
    record: RecordedRequest,
    target: ServerResponse | Socket,
    socket: Socket,
    rule: ActiveRule,
  ): Promise<Step> {
    const fault = rule.rule.fault;
    if (isAnsweringFault(fault)) {
      // an upgrade request has no body to read first
      const body = target instanceof Socket ? Buffer.alloc(0) : await readBody(req);
      this.#send(target, record, answerFor(this.flavor, fault, { path: record.path, body }, rule.random));
      return HANDLED;
    }
    if (fault.kind === 'hang') {
      this.#hold(record, socket, fault.maxMs ?? DEFAULT_HANG_MS);
      return HANDLED;
    }
    if (fault.kind === 'delay') return this.#delay(record, socket, fault.ms);
    if (fault.kind === 'reset' && fault.when === 'before') {
      this.#reset(socket);
      this.#update(record, { outcome: 'reset' });
      return HANDLED;
    }
    return this.#admitted(record, socket) ? { handled: false, fault } : HANDLED;
  }

  async #delay(record: RecordedRequest, socket: Socket, ms: number): Promise<Step> {
    const gone = new AbortController();
    socket.once('close', () => gone.abort());
    await sleep(ms, AbortSignal.any([gone.signal, this.#closing.signal]));
    if (socket.destroyed) {
      this.#update(record, { outcome: 'client-closed' });
      return HANDLED;
    }
    return this.#admitted(record, socket) ? { handled: false, fault: undefined } : HANDLED;
  }

  /** Records the identity to forward with; answers 401 (and returns false) for an unknown certificate. */
  #takeIdentity(req: IncomingMessage, record: RecordedRequest, target: ServerResponse | Socket): boolean {
    const socket = req.socket;
    if (!(socket instanceof TLSSocket)) return true;
    const peer = socket.getPeerCertificate();
    if (!peer?.fingerprint256) return true; // no certificate: a token, or anonymous
    const identity = this.#identities.get(peer.fingerprint256);
    if (identity) {
      record.identity = identity.name;
      this.#identityOfRecord.set(record, identity);
      return true;
    }
    const message = `fault proxy: the client certificate (subject ${peer.subject?.CN ?? '?'}) is not a registered identity`;
    this.#send(target, record, this.#error(401, message, record));
    return false;
  }

  #error(status: number, message: string, record: RecordedRequest): Answer {
    return errorAnswer(this.flavor, { status, message }, { path: record.path, body: Buffer.alloc(0) });
  }

  /** Right before a request goes to the server: the gate counts writes, and holds what comes after its nth. */
  #admitted(record: RecordedRequest, socket: Socket): boolean {
    const gate = this.#gate;
    if (!gate) return true;
    if (admit(gate.state, record.write) === 'forward') {
      if (record.write) this.#gatedWrites.add(record);
      return true;
    }
    this.#hold(record, socket, DEFAULT_HANG_MS);
    return false;
  }

  /** The server answered a write: the gate may withhold the answer and stop (the kill). */
  #gateOnWriteAnswered(record: RecordedRequest, socket: Socket): boolean {
    const gate = this.#gate;
    if (!gate || !this.#gatedWrites.has(record)) return false;
    this.#gatedWrites.delete(record);
    const { withhold, stop } = writeAnswered(gate.state);
    if (withhold) this.#hold(record, socket, DEFAULT_HANG_MS);
    if (stop) {
      Promise.resolve()
        .then(gate.onStop)
        .then(
          () => gate.settle.resolve(),
          (error: unknown) => gate.settle.reject(error),
        );
    }
    return withhold;
  }

  #hold(record: RecordedRequest, socket: Socket, maxMs: number): void {
    this.#update(record, { outcome: 'held' });
    const release = () => {
      clearTimeout(timer);
      this.#held.delete(release);
      this.#reset(socket);
    };
    const timer = setTimeout(release, maxMs);
    this.#held.add(release);
    socket.once('close', () => {
      clearTimeout(timer);
      this.#held.delete(release);
    });
  }

  #releaseHeld(): void {
    for (const release of [...this.#held]) release();
  }

  /** A TCP reset (RST) of the client's connection, on the TCP socket under TLS if there is one. */
  #reset(socket: Socket): void {
    const raw = this.#rawSockets.get(socket) ?? socket;
    if (raw.destroyed) return;
    try {
      raw.resetAndDestroy();
    } catch {
      raw.destroy(); // not a TCP socket (already closing): a plain close is the closest
    }
    socket.destroy();
  }

  #send(target: ServerResponse | Socket, record: RecordedRequest, answer: Answer): void {
    const body = typeof answer.body === 'string' ? Buffer.from(answer.body) : answer.body;
    const headers = { ...answer.headers, 'content-length': String(body.length) };
    if (target instanceof Socket) {
      target.write(rawResponseHead(answer.status, STATUS_CODES[answer.status] ?? 'Fault', headers));
      target.end(body);
    } else {
      target.writeHead(answer.status, headers);
      target.end(body);
    }
    this.#update(record, { status: answer.status, outcome: 'answered' });
  }

  // ---- forwarding

  #upstreamRequest(req: IncomingMessage, record: RecordedRequest, upgrade: boolean): ClientRequest {
    const identity = this.#identityOfRecord.get(record) ?? null;
    const options: RequestOptions = {
      host: this.#upstream.hostname,
      port: this.#upstream.port,
      method: record.method,
      path: req.url ?? '/',
      // the client's Host goes on, so servers that build URLs from it (the registry's upload
      // Location) send the client back through the proxy
      headers: { ...forwardableHeaders(req.headers, upgrade), host: req.headers.host ?? this.#upstream.host },
    };
    if (this.#upstream.protocol !== 'https:')
      return httpRequest(upgrade ? { ...options, agent: false } : options);
    if (!upgrade) return httpsRequest({ ...options, agent: this.#agentFor(identity) });
    // an upgraded connection is taken over for good: never one from the keep-alive pool
    return httpsRequest({ ...options, agent: false, ...this.#tlsTo(identity) });
  }

  /** TLS options towards the upstream: its CA, and the identity's certificate. */
  #tlsTo(identity: Identity | null): { ca?: string; cert?: string; key?: string } {
    return {
      ...(this.#options.upstreamCa ? { ca: this.#options.upstreamCa } : {}),
      ...(identity ? { cert: identity.cert, key: identity.key } : {}),
    };
  }

  #agentFor(identity: Identity | null): HttpsAgent {
    const key = identity?.name ?? '';
    let agent = this.#agents.get(key);
    if (!agent) {
      agent = new HttpsAgent({ keepAlive: true, ...this.#tlsTo(identity) });
      this.#agents.set(key, agent);
    }
    return agent;
  }

  #forward(
    req: IncomingMessage,
    res: ServerResponse,
    record: RecordedRequest,
    fault: Fault | undefined,
  ): void {
    const upstreamReq = this.#upstreamRequest(req, record, false);
    const requestBody = capture();
    this.#update(record, { forwarded: true });
    if (record.write) req.on('data', (chunk: Buffer) => requestBody.add(chunk));
    req.pipe(upstreamReq);
    res.on('close', () => {
      if (record.outcome === 'pending') this.#update(record, { outcome: 'client-closed' });
      upstreamReq.destroy();
    });
    upstreamReq.on('error', (error) => this.#upstreamFailed(res, record, error));
    upstreamReq.on('response', (upRes) => {
      this.#update(record, { upstreamStatus: upRes.statusCode ?? 0 });
      // writes: the whole answer is taken first, so the gate and reset-after act once the server is done
      if (record.write || fault?.kind === 'reset') {
        this.#relayWhole(upRes, res, record, requestBody.bytes(), fault);
      } else {
        this.#relayStream(upRes, res, record, fault?.kind === 'cut-watch' ? fault : undefined);
      }
    });
  }

  #upstreamFailed(res: ServerResponse, record: RecordedRequest, error: Error): void {
    if (record.outcome !== 'pending') return;
    record.answeredAt ??= Date.now();
    const socket = res.socket as Socket;
    // a write the server may or may not have applied: for the gate it is done
    if (record.upstreamStatus === null && this.#gateOnWriteAnswered(record, socket)) return;
    if (res.headersSent) this.#reset(socket);
    else
      this.#send(
        res,
        record,
        this.#error(502, `fault proxy: the server did not answer: ${error.message}`, record),
      );
    this.#update(record, { outcome: 'upstream-error' });
  }

  /** The server's whole answer, then (unless the gate or a reset-after keeps it back) the client's. */
  #relayWhole(
    upRes: IncomingMessage,
    res: ServerResponse,
    record: RecordedRequest,
    requestBody: Buffer,
    fault: Fault | undefined,
  ): void {
    const socket = res.socket as Socket;
    const chunks: Buffer[] = [];
    upRes.on('data', (chunk: Buffer) => chunks.push(chunk));
    upRes.on('end', () => {
      const body = Buffer.concat(chunks);
      this.#update(record, { answeredAt: Date.now() });
      if (record.write) this.#recordBodies(record, requestBody, body);
      if (this.#gateOnWriteAnswered(record, socket)) return;
      if (fault?.kind === 'reset') {
        this.#reset(socket);
        this.#update(record, { outcome: 'reset' });
        return;
      }
      res.writeHead(upRes.statusCode ?? 502, forwardableHeaders(upRes.headers, false));
      res.end(body);
      this.#update(record, { status: upRes.statusCode ?? 502, outcome: 'answered' });
    });
  }

  #recordBodies(record: RecordedRequest, requestBody: Buffer, responseBody: Buffer): void {
    const requestObject = summarizeObject(requestBody);
    const responseObject = summarizeObject(responseBody);
    this.#update(record, {
      requestBody,
      responseBody: responseBody.subarray(0, BODY_LIMIT),
      ...(requestObject ? { requestObject } : {}),
      ...(responseObject ? { responseObject } : {}),
    });
  }

  /** Streams the answer (watches, large reads), counting watch events and cutting where a rule says. */
  #relayStream(
    upRes: IncomingMessage,
    res: ServerResponse,
    record: RecordedRequest,
    cutRule: CutWatchFault | undefined,
  ): void {
    res.writeHead(upRes.statusCode ?? 502, forwardableHeaders(upRes.headers, false));
    res.flushHeaders();
    this.#update(record, { status: upRes.statusCode ?? 502 });
    const cut = cutRule && (upRes.statusCode ?? 0) < 300 ? cutRule : undefined;
    const boundaries = record.watch ? eventBoundaries(upRes.headers['content-type']) : undefined;
    upRes.on('data', (chunk: Buffer) => {
      if (record.outcome !== 'pending') return;
      const ends = boundaries?.feed(chunk) ?? [];
      if (cut && record.events + ends.length >= cut.afterEvents) {
        const last = ends[cut.afterEvents - record.events - 1] ?? chunk.length;
        this.#cutStream(upRes, res, record, chunk.subarray(0, last), cut);
        return;
      }
      res.write(chunk);
      if (ends.length > 0) this.#update(record, { events: record.events + ends.length });
    });
    upRes.on('end', () => {
      if (record.outcome !== 'pending') return;
      res.end();
      this.#update(record, { outcome: 'answered', answeredAt: Date.now() });
    });
    upRes.on('error', () => {
      if (record.outcome !== 'pending') return;
      this.#reset(res.socket as Socket);
      this.#update(record, { outcome: 'upstream-error' });
    });
  }

  /** Passes `lastBytes` (which end the Kth event) on, then ends the stream as the rule says. */
  #cutStream(
    upRes: IncomingMessage,
    res: ServerResponse,
    record: RecordedRequest,
    lastBytes: Buffer,
    cut: CutWatchFault,
  ): void {
    upRes.destroy();
    this.#update(record, { events: cut.afterEvents, outcome: 'cut' });
    if (cut.mode === 'end') {
      res.end(lastBytes);
      return;
    }
    // once the Kth event is with the kernel, close: the data arrives, then the end of a
    // stream whose chunked body never finished (a reset could drop the data in flight)
    const socket = res.socket as Socket;
    res.write(lastBytes, () => socket.destroy());
  }

  #forwardUpgrade(req: IncomingMessage, client: Socket, head: Buffer, record: RecordedRequest): void {
    const upstreamReq = this.#upstreamRequest(req, record, true);
    this.#update(record, { forwarded: true });
    upstreamReq.on('upgrade', (upRes, upSocket, upHead) => {
      this.#update(record, { upstreamStatus: upRes.statusCode ?? 101, status: upRes.statusCode ?? 101 });
      client.write(rawResponseHead(101, 'Switching Protocols', upRes.headers));
      if (upHead.length > 0) client.write(upHead);
      if (head.length > 0) upSocket.write(head);
      this.#join(client, upSocket, record);
    });
    upstreamReq.on('response', (upRes) => this.#refuseUpgrade(upRes, client, record));
    upstreamReq.on('error', () => {
      client.destroy();
      this.#update(record, { outcome: 'upstream-error' });
    });
    req.pipe(upstreamReq);
  }

  /** Bytes both ways until either side closes. */
  #join(client: Socket, upSocket: Socket, record: RecordedRequest): void {
    upSocket.pipe(client).pipe(upSocket);
    const done = (outcome: RequestOutcome) => {
      if (record.outcome === 'pending') this.#update(record, { outcome });
      upSocket.destroy();
      client.destroy();
    };
    upSocket.on('close', () => done('answered'));
    client.on('close', () => done('answered'));
    upSocket.on('error', () => done('upstream-error'));
    client.on('error', () => done('client-closed'));
  }

  /** The server refused the upgrade: its answer goes to the client as it is. */
  #refuseUpgrade(upRes: IncomingMessage, client: Socket, record: RecordedRequest): void {
    const chunks: Buffer[] = [];
    upRes.on('data', (chunk: Buffer) => chunks.push(chunk));
    upRes.on('end', () => {
      const body = Buffer.concat(chunks);
      const headers = { ...forwardableHeaders(upRes.headers, false), 'content-length': String(body.length) };
      client.write(rawResponseHead(upRes.statusCode ?? 502, upRes.statusMessage ?? '', headers));
      client.end(body);
      const status = upRes.statusCode ?? 0;
      this.#update(record, { upstreamStatus: status, status, outcome: 'answered' });
    });
  }
}

export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const proxy = new FaultProxy(options);
  await proxy.listen();
  return proxy;
}
