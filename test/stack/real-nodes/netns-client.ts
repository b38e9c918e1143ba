/**
 * One bounded HTTP GET, run by traffic.ts inside the node's network namespace
 * (`nsenter --net=... node netns-client.ts URL TIMEOUT_MS`): prints one JSON
 * line, `{"status":200,"headers":{...},"body":"..."}` or `{"error":"..."}`
 * (exit 1). Plain Node, so no client binary has to exist in the namespace.
 */
const [url, timeoutArg] = process.argv.slice(2);
if (!url) {
  process.stderr.write('usage: netns-client.ts URL [TIMEOUT_MS]\n');
  process.exit(2);
}
const timeoutMs = Number(timeoutArg ?? 5000);
try {
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' });
  const body = await response.text();
  process.stdout.write(
    `${JSON.stringify({ status: response.status, headers: Object.fromEntries(response.headers), body })}\n`,
  );
} catch (error) {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const message = cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
  process.stdout.write(`${JSON.stringify({ error: message })}\n`);
  process.exit(1);
}
