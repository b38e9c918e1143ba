import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import pkg from '../package.json' with { type: 'json' };

const SERVICE = 'hello-a';
const MAX_DELAY_MS = 10_000;

/** One JSON object per line: time, level, service, msg and any fields. */
export function createLogger(write = (line) => process.stdout.write(line)) {
  return (level, msg, fields = {}) => {
    write(`${JSON.stringify({ time: new Date().toISOString(), level, service: SERVICE, msg, ...fields })}\n`);
  };
}

export function createService(config, log) {
  let shuttingDown = false;
  let shutdown = null;
  const server = createServer((req, res) => {
    handle(req, res).catch((error) => {
      log('error', 'request failed', { error: String(error?.stack ?? error) });
      if (!res.headersSent) send(res, 500, { error: 'internal error' });
      else res.destroy();
    });
  });

  function send(res, status, body) {
    const payload = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(payload),
      'cache-control': 'no-store',
      // While shutting down, ask clients to reconnect (through the Service, to another pod).
      ...(shuttingDown ? { connection: 'close' } : {}),
    });
    res.end(payload);
  }

  async function handle(req, res) {
    const started = performance.now();
    const requestId = String(req.headers['x-request-id'] ?? randomUUID()).slice(0, 128);
    res.setHeader('x-request-id', requestId);
    const url = new URL(req.url ?? '/', 'http://localhost');
    res.on('finish', () => {
      const durationMs = Math.round(performance.now() - started);
      log('info', 'request', {
        method: req.method,
        path: url.pathname,
        status: res.statusCode,
        durationMs,
        requestId,
      });
    });
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      return send(res, 405, { error: 'method not allowed' });
    }
    switch (url.pathname) {
      case '/healthz':
        return send(res, 200, { status: 'ok' });
      case '/readyz':
        return shuttingDown
          ? send(res, 503, { status: 'shutting down' })
          : send(res, 200, { status: 'ready' });
      case '/version':
        return send(res, 200, {
          service: SERVICE,
          version: pkg.version,
          commit: config.commit,
          branch: config.branch,
          color: config.color,
          digest: config.digest,
          node: process.version,
        });
      case '/': {
        // ?delayMs=N makes the answer slow on purpose: a long request to carry across a color switch.
        const delayMs = Number(url.searchParams.get('delayMs') ?? 0);
        if (!Number.isInteger(delayMs) || delayMs < 0 || delayMs > MAX_DELAY_MS) {
          return send(res, 400, { error: `delayMs must be an integer from 0 to ${MAX_DELAY_MS}` });
        }
        if (delayMs > 0) await sleep(delayMs);
        return send(res, 200, { service: SERVICE, message: config.greeting, color: config.color });
      }
      default:
        return send(res, 404, { error: 'not found' });
    }
  }

  return {
    server,
    /** Resolves with the bound port. */
    listen(port = config.port, host = config.host) {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host ?? undefined, () => {
          server.off('error', reject);
          resolve(server.address().port);
        });
      });
    },
    /**
     * Readiness turns false at once; requests are still served for the drain delay (kube-proxy
     * and load balancers lag the endpoint removal); then the listener closes and in-flight
     * requests finish. Resolves true when every connection closed, false when the hard timeout
     * (counted from the start) cut the remaining ones.
     */
    shutdown(reason) {
      if (shutdown) return shutdown;
      shuttingDown = true;
      log('info', 'shutdown started', {
        reason,
        drainMs: config.drainMs,
        timeoutMs: config.shutdownTimeoutMs,
      });
      shutdown = new Promise((resolve) => {
        const hardStop = setTimeout(() => {
          log('warn', 'shutdown timed out: closing remaining connections');
          server.closeAllConnections();
          resolve(false);
        }, config.shutdownTimeoutMs);
        setTimeout(() => {
          server.close(() => {
            clearTimeout(hardStop);
            log('info', 'all connections closed');
            resolve(true);
          });
          server.closeIdleConnections();
          log('info', 'drain delay over: listener closed, finishing in-flight requests');
        }, config.drainMs);
      });
      return shutdown;
    },
  };
}
