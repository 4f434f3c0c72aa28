/**
 * The supervisor's one snapshot store (created in supervisor/app.ts, the composition root): its
 * operations count in the storage metrics like a host's, and a stop closes its connections to the
 * storage server. Real s3rver (the `minio` driver), real sockets: the witness is the process's own
 * TCP table, not the store's word.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.js';
import { startSupervisor, type Supervisor } from '../../supervisor/app.js';
import { valueOf } from '../metrics/exposition.js';
import { freePort } from '../support/free-port.js';
import { startS3rver, type RunningS3rver } from '../support/s3/s3rver-server.js';
import { quietLogger } from './support/actors.js';
import { fixtureHost } from './support/build.js';
import { waitFor } from './support/journal.js';

let dataDir: string;
let s3: RunningS3rver;
let sup: Supervisor | undefined;

beforeEach(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'sup-store-'));
  s3 = await startS3rver();
});
afterEach(async () => {
  await sup?.close();
  sup = undefined;
  await s3.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** Established TCP connections of this process to 127.0.0.1:`port` (s3rver runs in-process, so only the client side counts). */
function connectionsTo(port: number): number {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  return readFileSync('/proc/self/net/tcp', 'utf8')
    .split('\n')
    .slice(1)
    .map((line) => line.trim().split(/\s+/))
    .filter((f) => f.length > 3 && f[2] === `0100007F:${hexPort}` && f[3] === '01').length;
}

describe("the supervisor's snapshot store", () => {
  it('counts its operations in the storage metrics and closes its connections at shutdown', async () => {
    const config = parseConfig({
      DATA_DIR: dataDir,
      HOST: '127.0.0.1',
      PORT: String(await freePort()),
      LOG_LEVEL: 'silent',
      HOST_SPARES: '0',
      STORAGE_DRIVER: 'minio',
      MINIO_ENDPOINT: s3.host,
      MINIO_PORT: String(s3.port),
      MINIO_ACCESS_KEY: s3.accessKey,
      MINIO_SECRET_KEY: s3.secretKey,
    });
    const s = (sup = await startSupervisor(config, quietLogger, { hostModulePath: fixtureHost('good') }));
    // The storage probe pings at start (and every 10 s): that ping is the store's first operation.
    await waitFor(() => s.health().storage?.reachable === true, 10_000, 'the first storage ping');
    const text = await s.metrics.appText();
    expect(valueOf(text, 'wa_storage_operation_duration_seconds_count', { op: 'ping', result: 'ok' })).toBeGreaterThanOrEqual(1);
    expect(connectionsTo(s3.port)).toBeGreaterThan(0); // the store's keep-alive connection

    await s.close();
    sup = undefined;
    await waitFor(() => connectionsTo(s3.port) === 0, 5_000, 'the store to close its connections');
  });
});
