import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll } from 'vitest';
import { freePort } from './free-port.js';
import { buildOnce, startHost, type HostHandle, type HostOptions } from './host-harness.js';

/**
 * Host processes that need no WhatsApp (title, lock, init handshake, spare, orphan guard): their
 * socket points at a loopback port nobody listens on, so they keep reconnecting. Call once at file
 * level: it builds the host, picks the dead port, and after each test disposes the hosts it started
 * and removes the folders it made.
 */
export interface DeadEndHosts {
  /** `ws://127.0.0.1:<port>/ws/chat` on a port nobody listens on (known once `beforeAll` ran). */
  readonly url: string;
  /** A fresh DATA_DIR, removed after the test. */
  tempDir(): Promise<string>;
  /** `startHost` with the dead URL unless `options.init` names another; disposed after the test. */
  start(options: HostOptions): HostHandle;
}

export function useDeadEndHosts(dirPrefix: string): DeadEndHosts {
  let url = '';
  const hosts: HostHandle[] = [];
  const dirs: string[] = [];
  beforeAll(async () => {
    buildOnce();
    url = `ws://127.0.0.1:${await freePort()}/ws/chat`;
  });
  afterEach(async () => {
    await Promise.all(hosts.splice(0).map((h) => h.dispose()));
    await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
  });
  return {
    get url() {
      return url;
    },
    async tempDir() {
      const d = await mkdtemp(join(tmpdir(), dirPrefix));
      dirs.push(d);
      return d;
    },
    start(options) {
      const h = startHost({ ...options, init: { waWebsocketUrl: url, ...options.init } });
      hosts.push(h);
      return h;
    },
  };
}
