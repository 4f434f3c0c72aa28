/**
 * A real supervisor in-process (`startSupervisor`, temp DATA_DIR, a free loopback port) and a
 * small HTTP client for it. Every call goes over a real socket.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { parseConfig } from '../../../src/config/index.js';
import { startSupervisor, type Supervisor } from '../../../supervisor/app.js';
import { freePort } from '../../support/free-port.js';

export const TOKEN = 'test-token-7f3a';
export const ROOT = join(import.meta.dirname, '..', '..', '..');
export const DIST = join(ROOT, 'dist');
export const REAL_HOST = join(DIST, 'session-host', 'main.js');

export interface ApiWorker {
  sup: Supervisor;
  dataDir: string;
  /** Every log line the supervisor wrote, parsed. */
  logs: Array<Record<string, unknown>>;
  close(): Promise<void>;
}

export async function startApiWorker(env: Record<string, string>, hostModulePath: string): Promise<ApiWorker> {
  const dataDir = mkdtempSync(join(tmpdir(), 'wa-api-'));
  const logs: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n')) if (line.trim()) logs.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const logger = pino({ level: env.LOG_LEVEL ?? 'warn' }, sink);
  const config = parseConfig({ HOST: '127.0.0.1', PORT: String(await freePort()), DATA_DIR: dataDir, HOST_STOP_TIMEOUT_MS: '3000', ...env });
  const sup = await startSupervisor(config, logger, { hostModulePath });
  return {
    sup,
    dataDir,
    logs,
    close: async () => {
      await sup.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface Answer {
  status: number;
  body: any;
  headers: Headers;
}

/** One request; `token: null` sends no Authorization header. `raw` sends the body as it is. */
export async function call(
  worker: ApiWorker,
  method: string,
  path: string,
  options: { body?: unknown; raw?: string | Buffer; token?: string | null; contentType?: string; timeoutMs?: number } = {},
): Promise<Answer> {
  const headers: Record<string, string> = {};
  const token = options.token === undefined ? TOKEN : options.token;
  if (token !== null) headers.authorization = `Bearer ${token}`;
  let body: string | Buffer | undefined;
  if (options.raw !== undefined) body = options.raw;
  else if (options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined || options.contentType) headers['content-type'] = options.contentType ?? 'application/json';
  const res = await fetch(`${worker.sup.url}${path}`, { method, headers, body, signal: AbortSignal.timeout(options.timeoutMs ?? 30_000) });
  const buf = Buffer.from(await res.arrayBuffer());
  let parsed: unknown = buf;
  if ((res.headers.get('content-type') ?? '').includes('json')) parsed = JSON.parse(buf.toString());
  return { status: res.status, body: parsed, headers: res.headers };
}

/** Polls `test` until it returns a value (not undefined) or the deadline passes. */
export async function until<T>(test: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await test();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

/** Entries of a folder, or [] when it does not exist. */
export function entries(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir) : [];
}
