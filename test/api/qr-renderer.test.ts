/**
 * QR rendering on the real piscina pool, running the compiled worker (dist/, built by the
 * vitest globalSetup): a PNG that decodes as a PNG of the asked size, and terminal art.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import type { SessionEvent } from '../../src/session-view.js';
import { QrRenderer, renderWorkerPath } from '../../supervisor/qr/qr-renderer.js';
import { printQrCodes } from '../../supervisor/qr/terminal-qr.js';

const QR = '2@Bx7kQ0w3nX9bL8,aGVsbG8gd29ybGQ=,Zm9vYmFyYmF6,cXV4cXV1eA==';
const renderers: QrRenderer[] = [];
afterEach(async () => {
  await Promise.all(renderers.splice(0).map((r) => r.close()));
});
const make = (): QrRenderer => {
  const r = new QrRenderer();
  renderers.push(r);
  return r;
};

/** Width and height from a PNG's IHDR chunk. */
function pngSize(png: Buffer): { width: number; height: number } {
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

describe('QrRenderer', () => {
  it('uses the compiled worker under dist/ when running from source', () => {
    expect(renderWorkerPath('file:///app/supervisor/qr/qr-renderer.ts')).toBe('/app/dist/supervisor/qr/render-worker.js');
    expect(renderWorkerPath('file:///app/dist/supervisor/qr/qr-renderer.js')).toBe('/app/dist/supervisor/qr/render-worker.js');
  });

  it('renders a PNG of the asked width on a worker thread, and terminal art', async () => {
    const r = make();
    const png = await r.png(QR, 240);
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(pngSize(png)).toEqual({ width: 240, height: 240 });
    const art = await r.terminal(QR);
    expect(art.split('\n').length).toBeGreaterThan(10);
    expect(art).toMatch(/[█▀▄]/);
  });

  it('refuses an empty or oversized QR string and answers SHUTTING_DOWN once closed (close is idempotent)', async () => {
    const r = make();
    await expect(r.png('')).rejects.toMatchObject({ code: 'QR_RENDER_FAILED' });
    await expect(r.png('x'.repeat(5000))).rejects.toMatchObject({ code: 'QR_RENDER_FAILED' });
    await r.png(QR);
    const [a, b] = [r.close(), r.close()];
    expect(a).toBe(b);
    await a;
    await expect(r.png(QR)).rejects.toMatchObject({ code: 'SHUTTING_DOWN' });
  });

  it('names a missing worker build instead of hanging', async () => {
    const r = new QrRenderer({ workerPath: '/nonexistent/render-worker.js' });
    renderers.push(r);
    await expect(r.png(QR)).rejects.toMatchObject({ code: 'QR_RENDER_FAILED', message: expect.stringContaining('not built') });
  });
});

describe('printQrCodes', () => {
  it('prints each QR event with its session id, ignores other events, and stops when unsubscribed', async () => {
    const listeners = new Set<(e: SessionEvent) => void>();
    const written: string[] = [];
    let wrote: () => void = () => undefined;
    const stop = printQrCodes({
      renderer: make(),
      subscribe: (l) => {
        listeners.add(l);
        return () => listeners.delete(l);
      },
      write: (t) => {
        written.push(t);
        wrote();
      },
      logger: pino({ level: 'silent' }),
    });
    const emit = (e: SessionEvent): void => listeners.forEach((l) => l(e));
    const printed = new Promise<void>((resolve) => (wrote = resolve));
    emit({ kind: 'status', sessionId: 's1', status: 'qr_required', previous: 'starting', phoneNumber: null, at: 'now' });
    emit({ kind: 'qr', sessionId: 's1', qr: QR, expiresAt: '2030-01-01T00:00:00.000Z', attempt: 1, at: 'now' });
    await printed;
    expect(written).toHaveLength(1);
    expect(written[0]).toContain('session s1');
    expect(written[0]).toMatch(/[█▀▄]/);
    stop();
    expect(listeners.size).toBe(0);
  });
});
