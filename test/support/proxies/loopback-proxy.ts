/**
 * Real egress proxies on 127.0.0.1 for tests of per-session proxies (issue 19 §2): an HTTP CONNECT
 * proxy (the `proxy` package, TooTallNate's) and a SOCKS5 proxy (`@mongodb-js/socksv5`), each with
 * optional user/password, recording every tunnel it was asked for (`host:port`). `stop()` closes
 * the port and cuts every tunnel (a proxy that died); `restart()` listens on the same port again.
 */
import { createServer, type Server } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { createRequire } from 'node:module';
import { createProxy } from 'proxy';

export interface ProxyAuth {
  user: string;
  password: string;
}

export interface LoopbackProxy {
  readonly kind: 'http' | 'socks5';
  readonly port: number;
  /** Every tunnel asked for, accepted or not: `host:port`. */
  readonly targets: string[];
  /** Tunnels refused for bad credentials. */
  readonly refused: number;
  /** `http://user:password@127.0.0.1:port` (or `socks5h://…`; `scheme` overrides). */
  url(options?: { auth?: ProxyAuth; scheme?: string }): string;
  stop(): Promise<void>;
  restart(): Promise<void>;
  close(): Promise<void>;
}

interface Listening {
  listen(port: number, host: string, cb: () => void): unknown;
  close(cb: () => void): unknown;
  address(): AddressInfo | string | null;
}

/** Listen/stop/restart on one port, destroying every accepted socket at stop. */
abstract class Base implements LoopbackProxy {
  abstract readonly kind: 'http' | 'socks5';
  readonly targets: string[] = [];
  refused = 0;
  port = 0;
  protected readonly sockets = new Set<Socket>();
  private up = false;

  protected abstract server(): Listening;

  protected track(socket: Socket): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server().listen(this.port, '127.0.0.1', resolve));
    this.port = (this.server().address() as AddressInfo).port;
    this.up = true;
    return this;
  }

  url(options: { auth?: ProxyAuth; scheme?: string } = {}): string {
    const auth = options.auth ? `${encodeURIComponent(options.auth.user)}:${encodeURIComponent(options.auth.password)}@` : '';
    return `${options.scheme ?? this.defaultScheme()}://${auth}127.0.0.1:${this.port}`;
  }

  protected defaultScheme(): string {
    return this.kind === 'http' ? 'http' : 'socks5h';
  }

  async stop(): Promise<void> {
    if (!this.up) return;
    this.up = false;
    const closed = new Promise<void>((resolve) => this.server().close(() => resolve()));
    for (const s of this.sockets) s.destroy();
    await closed;
  }

  async restart(): Promise<void> {
    await this.start();
  }

  close(): Promise<void> {
    return this.stop();
  }
}

class HttpConnectProxy extends Base {
  readonly kind = 'http' as const;
  private readonly srv: Server;

  constructor(auth?: ProxyAuth, private readonly tls?: { key: Buffer; cert: Buffer }) {
    super();
    // An https proxy: TLS between the client and the proxy, then the same CONNECT.
    this.srv = createProxy(tls ? (createTlsServer(tls) as unknown as Server) : createServer());
    this.srv.on(tls ? 'secureConnection' : 'connection', (s: Socket) => this.track(s));
    // Recorded before the proxy package answers (its own 'connect' listener runs after ours).
    this.srv.prependListener('connect', (req: { url?: string }) => {
      this.targets.push(req.url ?? '');
    });
    if (auth) {
      const expected = `Basic ${Buffer.from(`${auth.user}:${auth.password}`).toString('base64')}`;
      (this.srv as Server & { authenticate?: (req: { headers: Record<string, unknown> }) => boolean }).authenticate = (req) => {
        const ok = req.headers['proxy-authorization'] === expected;
        if (!ok) this.refused++;
        return ok;
      };
    }
  }

  protected server(): Listening {
    return this.srv;
  }

  protected override defaultScheme(): string {
    return this.tls ? 'https' : 'http';
  }
}

interface SocksServer extends Listening {
  useAuth(auth: unknown): void;
  /** The library's own net.Server (no public 'connection' event for raw sockets). */
  _srv: Server;
}
interface SocksModule {
  createServer(listener: (info: { dstAddr: string; dstPort: number }, accept: () => void, deny: () => void) => void): SocksServer;
  auth: { None(): unknown; UserPassword(check: (user: string, password: string, cb: (ok: boolean) => void) => void): unknown };
}

class Socks5Proxy extends Base {
  readonly kind = 'socks5' as const;
  private readonly srv: SocksServer;

  constructor(auth?: ProxyAuth) {
    super();
    // A CommonJS package without types.
    const socks = createRequire(import.meta.url)('@mongodb-js/socksv5') as SocksModule;
    this.srv = socks.createServer((info, accept) => {
      this.targets.push(`${info.dstAddr}:${info.dstPort}`);
      accept();
    });
    this.srv._srv.on('connection', (s: Socket) => this.track(s));
    this.srv.useAuth(
      auth
        ? socks.auth.UserPassword((user, password, cb) => {
            const ok = user === auth.user && password === auth.password;
            if (!ok) this.refused++;
            cb(ok);
          })
        : socks.auth.None(),
    );
  }

  protected server(): Listening {
    return this.srv;
  }
}

export function startHttpProxy(auth?: ProxyAuth, tls?: { key: Buffer; cert: Buffer }): Promise<LoopbackProxy> {
  return new HttpConnectProxy(auth, tls).start();
}

export function startSocksProxy(auth?: ProxyAuth): Promise<LoopbackProxy> {
  return new Socks5Proxy(auth).start();
}
