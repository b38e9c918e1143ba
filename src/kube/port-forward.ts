/**
 * A local port that reaches a Service's pods through the API server (pods/portforward),
 * as `kubectl port-forward service/x` does: each connection goes to a ready pod the
 * Service selects. For test commands on a runner outside the cluster.
 */
import { createServer, type Socket } from 'node:net';
import { PortForward } from '@kubernetes/client-node';
import type { KubeClient } from './client.ts';

export interface Forwarded {
  url: string;
  close(): Promise<void>;
}

export async function forwardService(
  client: KubeClient,
  namespace: string,
  serviceName: string,
  port: number,
  onError: (message: string) => void,
): Promise<Forwarded> {
  const forwarder = new PortForward(client.config);
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    forwarder
      .portForwardService(namespace, serviceName, [port], socket, null, socket)
      .catch((error: unknown) => {
        onError(
          `port-forward to ${serviceName}:${port} failed: ${error instanceof Error ? error.message : String(error)}`,
        );
        socket.destroy();
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const local = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${local}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
