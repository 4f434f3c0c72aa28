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
  private holds: Hold[] = [];
  private stalls: { pattern: string; arrive: () => void; released: Promise<void> }[] = [];
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

  /**
   * The next request whose bytes contain `pattern` reaches the server `ms` late, as through a slow
   * front that already holds the whole request: the bytes are forwarded after the delay even when
   * the client has given up in between (`whenClientGone: 'forward'`), or dropped with the
   * connection when it has (`'drop'`, a front that had not dispatched it yet). Resolves when the
   * held request was forwarded (true) or dropped (false).
   */
  delayNext(pattern: string, ms: number, whenClientGone: 'forward' | 'drop' = 'forward'): Promise<boolean> {
    return new Promise((resolve) => {
      this.holds.push({ pattern, ms, whenClientGone, resolve });
    });
  }

  /**
   * Requests containing `pattern` are held (nothing reaches the server, nothing answers) until
   * `release()` is called; the returned promise resolves when the first one arrived.
   */
  stall(pattern: string): { arrived: Promise<void>; release: () => void } {
    let arrive!: () => void;
    const arrived = new Promise<void>((resolve) => (arrive = resolve));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    this.stalls.push({ pattern, arrive, released });
    return { arrived, release: () => {
      this.stalls = this.stalls.filter((s) => s.pattern !== pattern);
      release();
    } };
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
    // While a request of this connection is held, later bytes queue behind it in order.
    let queue: Buffer[] | undefined;
    const forward = (chunk: Buffer) => {
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
    };
    let clientGone = false;
    client.on('close', () => (clientGone = true));
    const holdFor = (wait: Promise<void>, onDone: (forwarded: boolean) => void, dropIfGone: boolean) => {
      queue = [];
      // The upstream side must not be torn down with the client while the request is held.
      if (!dropIfGone) client.removeAllListeners('close').on('close', () => (clientGone = true));
      void wait.then(() => {
        const held = queue ?? [];
        queue = undefined;
        if (clientGone && dropIfGone) {
          upstream.destroy();
          onDone(false);
          return;
        }
        for (const chunk of held) forward(chunk);
        onDone(true);
        if (clientGone) setTimeout(() => upstream.destroy(), 2_000);
      });
    };
    client.on('data', (chunk: Buffer) => {
      if (queue) {
        queue.push(chunk);
        return;
      }
      if (budget === undefined && this.cut) {
        const at = chunk.indexOf(this.cut.pattern, 0, 'latin1');
        if (at >= 0) budget = at + this.cut.pattern.length + this.cut.afterBytes;
      }
      const hold = this.holds.find((h) => chunk.includes(h.pattern, 0, 'latin1'));
      if (hold) {
        this.holds = this.holds.filter((h) => h !== hold);
        holdFor(new Promise((r) => setTimeout(r, hold.ms)), hold.resolve, hold.whenClientGone === 'drop');
        queue!.push(chunk);
        return;
      }
      const stall = this.stalls.find((s) => chunk.includes(s.pattern, 0, 'latin1'));
      if (stall) {
        stall.arrive();
        holdFor(stall.released, () => undefined, true);
        queue!.push(chunk);
        return;
      }
      forward(chunk);
    });
  }
}

interface Hold {
  pattern: string;
  ms: number;
  whenClientGone: 'forward' | 'drop';
  resolve: (forwarded: boolean) => void;
}
