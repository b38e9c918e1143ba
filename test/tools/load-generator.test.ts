/**
 * The load generator of the real-node tests (test/stack/real-nodes/load.ts,
 * vegeta underneath), against servers of this test on 127.0.0.1: it sends
 * exactly rate × duration requests and no more, counts each one that did not
 * get a 2xx with its reason, and ends on its own when the target never answers.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { type AddressInfo, createServer as createTcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLoad } from '../stack/real-nodes/load.ts';
import { expectedToolPath } from '../stack/tools.ts';
import { tierCannotRun } from '../support/tier.ts';

const vegetaMissing = existsSync(expectedToolPath('vegeta'))
  ? null
  : `vegeta is not installed (${expectedToolPath('vegeta')}): run \`bash test/stack/install.sh\``;
if (vegetaMissing) tierCannotRun('load-generator', vegetaMissing);

function listen(server: Server): Promise<string> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () =>
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    );
  });
}

describe.skipIf(vegetaMissing !== null)('the load generator', () => {
  let workDir: string;
  const servers: Server[] = [];
  let seen = 0;

  beforeAll(() => {
    workDir = mkdtempSync(join(tmpdir(), 'greenlight-load-'));
  });
  afterAll(async () => {
    for (const server of servers) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
    rmSync(workDir, { recursive: true, force: true });
  });

  async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
    const server = createServer(handler);
    servers.push(server);
    return listen(server);
  }

  it('sends exactly rate × duration requests at a steady rate, and the server saw each one', async () => {
    seen = 0;
    const url = await serve((_req, res) => {
      seen += 1;
      res.end(JSON.stringify({ color: seen % 2 ? 'blue' : 'green' }));
    });
    const report = await startLoad({
      url,
      rate: 200,
      durationMs: 1000,
      netns: null,
      workDir,
      classify: (body) => (JSON.parse(body) as { color: string }).color,
    }).done;
    expect(report.sent).toBe(200);
    expect(seen).toBe(200);
    expect(report.ok).toBe(200);
    expect(report.failed).toBe(0);
    expect(report.answers).toEqual({ blue: 100, green: 100 });
    // steady: the requests spread over the second instead of coming in one burst
    expect(report.endedAt - report.startedAt).toBeGreaterThanOrEqual(900);
    expect(report.p50Ms).toBeGreaterThan(0);
  });

  it('counts every request without a 2xx as failed, by reason', async () => {
    let count = 0;
    const url = await serve((_req, res) => {
      count += 1;
      res.statusCode = count % 10 === 0 ? 503 : 200;
      res.end('{}');
    });
    const report = await startLoad({ url, rate: 100, durationMs: 1000, netns: null, workDir }).done;
    expect(report.sent).toBe(100);
    expect(report.failed).toBe(10);
    expect(report.failures).toEqual({ '503 Service Unavailable': 10 });
    expect(report.ok).toBe(90);
  });

  it('counts refused connections, and a server that never answers ends in timeouts, not a hang', async () => {
    const closed = createTcpServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const refusedUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/`;
    await new Promise((resolve) => closed.close(resolve));
    const refused = await startLoad({ url: refusedUrl, rate: 50, durationMs: 500, netns: null, workDir })
      .done;
    expect(refused.sent).toBe(25);
    expect(refused.failures).toEqual({ 'connect: connection refused': 25 });

    const hanging = await serve(() => {
      // never answers
    });
    const report = await startLoad({
      url: hanging,
      rate: 20,
      durationMs: 500,
      timeoutMs: 300,
      netns: null,
      workDir,
    }).done;
    expect(report.sent).toBe(10);
    expect(report.ok).toBe(0);
    expect(Object.keys(report.failures)).toEqual([
      expect.stringMatching(/Client\.Timeout|deadline exceeded|timeout/),
    ]);
  });
});
