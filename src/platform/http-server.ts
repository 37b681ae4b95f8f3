import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Hono } from 'hono';

export interface HttpServer {
  /** The address actually bound (useful with port 0). */
  readonly url: string;
  readonly port: number;
  /**
   * Stops accepting connections, lets in-flight requests finish, then resolves. Requests still running
   * after `timeoutMs` have their connections closed.
   */
  close(timeoutMs: number): Promise<void>;
}

export async function startHttpServer(
  app: Hono,
  { port, host }: { port: number; host: string },
): Promise<HttpServer> {
  const server = await new Promise<Server>((resolve, reject) => {
    const created = serve({ fetch: app.fetch, port, hostname: host }, () => {
      resolve(created);
    }) as Server;
    created.once('error', reject);
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${shownHost}:${address.port}`,
    port: address.port,
    close: (timeoutMs) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          server.closeAllConnections();
        }, timeoutMs);
        server.close((error) => {
          clearTimeout(timer);
          if (error) reject(error);
          else resolve();
        });
        // Keep-alive connections with no request in flight would otherwise hold the close open.
        server.closeIdleConnections();
      }),
  };
}
