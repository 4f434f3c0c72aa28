import { createServer, connect, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy on 127.0.0.1 in front of a real S3 server, to make that server fail the way real
 * ones do: die in the middle of an upload, refuse connections, or accept and never answer.
 * It forwards bytes untouched, so signatures still verify.
 */
export class FaultProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private cut: { pattern: string; afterBytes: number; resolve: () => void } | undefined;
  private blackhole = false;
  port = 0;

  constructor(private readonly upstream: { host: string; port: number }) {}

  async start(port = 0): Promise<void> {
    const server = createServer((client) => this.handle(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as { port: number }).port;
  }

  /**
   * The next request whose bytes contain `pattern` (e.g. `PUT /bucket/sessions/a/snapshots/`) is
   * forwarded with only `afterBytes` bytes past the pattern, then the whole server "dies": every
   * connection is reset and the port refuses new ones until `revive()`.
   */
  dieDuring(pattern: string, afterBytes = 4096): Promise<void> {
    return new Promise((resolve) => {
      this.cut = { pattern, afterBytes, resolve };
    });
  }

  /** Accept connections but never forward or answer anything. */
  hang(on = true): void {
    this.blackhole = on;
  }

  /** Reset every connection and stop listening (ECONNREFUSED from now on). */
  async kill(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  async revive(): Promise<void> {
    if (!this.server) await this.start(this.port);
  }

  async close(): Promise<void> {
    await this.kill();
  }

  private handle(client: Socket): void {
    this.sockets.add(client);
    client.on('close', () => this.sockets.delete(client));
    client.on('error', () => client.destroy());
    if (this.blackhole) return;
    const upstream = connect(this.upstream.port, this.upstream.host);
    this.sockets.add(upstream);
    upstream.on('close', () => {
      this.sockets.delete(upstream);
      client.destroy();
    });
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    upstream.pipe(client);
    // Bytes this connection may still forward before the server "dies"; undefined = unlimited.
    let budget: number | undefined;
    client.on('data', (chunk: Buffer) => {
      if (budget === undefined && this.cut) {
        const at = chunk.indexOf(this.cut.pattern, 0, 'latin1');
        if (at >= 0) budget = at + this.cut.pattern.length + this.cut.afterBytes;
      }
      if (budget === undefined) {
        upstream.write(chunk);
        return;
      }
      if (budget > 0) upstream.write(chunk.subarray(0, budget));
      budget -= Math.min(budget, chunk.length);
      if (budget === 0 && this.cut) {
        const { resolve } = this.cut;
        this.cut = undefined;
        // Let the forwarded part reach the server, then die under the client's feet.
        setTimeout(() => void this.kill().then(resolve), 50);
      }
    });
  }
}
