/**
 * The simulator's media host: HTTPS on 127.0.0.1, named to clients by the `media_conn` answer.
 * Baileys uploads encrypted media with `POST /mms/<type>/<fileEncSha256>?auth=…&token=…` and gets
 * `{url, direct_path}` back; anyone downloads with `GET <direct_path>`. Uploads are checked as
 * WhatsApp checks them: the auth token of `media_conn` and the body's SHA-256 in the path.
 */
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { makeMediaCert, type SimMediaCert } from './media-cert.js';

const MAX_UPLOAD_BYTES = 128 * 1024 * 1024;

export interface StoredMedia {
  directPath: string;
  url: string;
}

export class SimMediaServer {
  readonly auth = randomBytes(24).toString('base64');
  /** Requests refused (wrong auth or hash), for tests that expect none. */
  refused = 0;
  downloads = 0;
  private readonly blobs = new Map<string, Buffer>();

  private constructor(
    private readonly server: Server,
    private readonly cert: SimMediaCert,
  ) {}

  static async start(): Promise<SimMediaServer> {
    const cert = makeMediaCert();
    let self: SimMediaServer | undefined;
    const server = createServer({ key: cert.key, cert: cert.cert }, (req, res) => self!.handle(req, res));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    self = new SimMediaServer(server, cert);
    return self;
  }

  /** `127.0.0.1:<port>`: the `hostname` of `media_conn` (Baileys builds `https://<hostname>/…`). */
  get host(): string {
    return `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  get certPath(): string {
    return this.cert.certPath;
  }

  /** Stores an encrypted blob (a contact's upload) and names it. */
  put(blob: Buffer): StoredMedia {
    const directPath = `/v/t62.7118-24/${randomBytes(12).toString('hex')}.enc?ccb=11-4`;
    this.blobs.set(directPath.split('?')[0]!, blob);
    return { directPath, url: `https://${this.host}${directPath}` };
  }

  /** An uploaded blob by the direct path the upload answered with. */
  get(directPath: string): Buffer | undefined {
    return this.blobs.get(directPath.split('?')[0]!);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
    this.cert.remove();
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', `https://${this.host}`);
    if (req.method === 'GET') {
      const blob = this.blobs.get(url.pathname);
      if (!blob) return void res.writeHead(404).end();
      this.downloads++;
      return void res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': blob.length }).end(blob);
    }
    const upload = /^\/mms\/(image|video|audio|document|sticker|ptt|gif|thumbnail-[a-z]+)\/([A-Za-z0-9_-]+)$/.exec(url.pathname);
    if (req.method !== 'POST' || !upload) return void res.writeHead(404).end();
    if (url.searchParams.get('auth') !== this.auth) {
      this.refused++;
      return void res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"bad auth"}');
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_UPLOAD_BYTES) req.destroy();
      else chunks.push(c);
    });
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const hash = createHash('sha256').update(body).digest('base64url');
      if (hash !== upload[2]) {
        this.refused++;
        return void res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"hash mismatch"}');
      }
      const stored = this.put(body);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ url: stored.url, direct_path: stored.directPath }));
    });
  }
}
