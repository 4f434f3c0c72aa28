import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WorkerError } from '../../src/errors.js';
import { atomicWriteFile } from '../../src/fs/atomic-write.js';
import { parseProxyUrl } from '../../src/proxy/proxy-url.js';
import { isValidSessionId } from '../../src/session-id.js';
import { sessionsMember } from './sessions-file.js';

/**
 * Per-session settings an operator gives this worker (issue 19 §2: the egress proxy), in both
 * modes: `DATA_DIR/session-settings.json` (mode 0600: proxy URLs may hold credentials), rewritten
 * atomically on every change, read once at start — so a setting survives restarts, recoveries and
 * host crashes alike. A backend assigns sessions but knows nothing of their proxies, hence a file
 * of its own beside the standalone registry. Writes are serialised; each resolves once that
 * content (or a newer one) is on disk.
 */
export interface SessionSettings {
  /** Normalised proxy URL, credentials included; absent = WA_PROXY_URL, else direct. */
  proxy?: string;
}

interface FileShape {
  version: 1;
  updatedAt: string;
  sessions: Record<string, SessionSettings>;
}

export const SESSION_SETTINGS_FILE = 'session-settings.json';

export class SessionSettingsFile {
  readonly path: string;
  private readonly settings: Map<string, SessionSettings>;
  private chain: Promise<void> = Promise.resolve();

  /** Reads the file (sync: once, at start). A corrupt file stops start-up rather than dropping proxies. */
  constructor(dataDir: string) {
    this.path = join(dataDir, SESSION_SETTINGS_FILE);
    let text: string | undefined;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    this.settings = text === undefined ? new Map() : parseSessionSettings(text, this.path);
  }

  proxyOf(sessionId: string): string | undefined {
    return this.settings.get(sessionId)?.proxy;
  }

  /**
   * Sets (a URL) or clears (null) a session's own proxy: on disk first, then in memory, so a write
   * that fails changes nothing (the caller answers an error) and a host never runs with a setting
   * the next start would not find.
   */
  setProxy(sessionId: string, proxy: string | null): Promise<void> {
    return this.update((all) => {
      const next: SessionSettings = { ...all.get(sessionId) };
      if (proxy === null) delete next.proxy;
      else next.proxy = proxy;
      if (Object.keys(next).length === 0) all.delete(sessionId);
      else all.set(sessionId, next);
    });
  }

  /** The session is deleted: its settings go with it. */
  forget(sessionId: string): Promise<void> {
    return this.update((all) => all.delete(sessionId));
  }

  flushed(): Promise<void> {
    return this.chain.catch(() => undefined);
  }

  /** One change at a time: copy, change, write, then swap in. */
  private update(change: (all: Map<string, SessionSettings>) => void): Promise<void> {
    const run = this.chain
      .catch(() => undefined)
      .then(async () => {
        const next = new Map(this.settings);
        change(next);
        const body: FileShape = { version: 1, updatedAt: new Date().toISOString(), sessions: Object.fromEntries(next) };
        await atomicWriteFile(this.path, JSON.stringify(body, null, 2) + '\n', { mode: 0o600 });
        this.settings.clear();
        for (const [id, s] of next) this.settings.set(id, s);
      })
      .catch((err: unknown) => {
        throw new WorkerError('SESSION_SETTINGS_WRITE_FAILED', `could not save ${this.path}: ${(err as Error).message}`, { cause: err });
      });
    this.chain = run;
    return run;
  }
}

/** Pure: the file's content; an invalid id or proxy is an error, never used. */
export function parseSessionSettings(text: string, where = SESSION_SETTINGS_FILE): Map<string, SessionSettings> {
  const sessions = sessionsMember(text, where, 'SESSION_SETTINGS_CORRUPT');
  if (!sessions || typeof sessions !== 'object' || Array.isArray(sessions)) throw new WorkerError('SESSION_SETTINGS_CORRUPT', `${where} has no sessions object`);
  const out = new Map<string, SessionSettings>();
  for (const [sessionId, raw] of Object.entries(sessions as Record<string, unknown>)) {
    if (!isValidSessionId(sessionId)) throw new WorkerError('SESSION_SETTINGS_CORRUPT', `${where} holds an invalid session id`);
    const proxy = (raw as SessionSettings | null)?.proxy;
    if (proxy === undefined) continue;
    try {
      out.set(sessionId, { proxy: parseProxyUrl(proxy).url });
    } catch {
      throw new WorkerError('SESSION_SETTINGS_CORRUPT', `${where}: the proxy of session ${sessionId} is not a valid proxy URL`);
    }
  }
  return out;
}
