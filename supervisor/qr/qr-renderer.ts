import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { WorkerError } from '../../src/errors.js';
import { MAX_QR_LENGTH, type RenderTask } from './render-task.js';

/**
 * The compiled worker next to this module; when the supervisor runs from source (tsx, vitest)
 * the compiled copy under dist/ — piscina threads load JS only.
 */
export function renderWorkerPath(moduleUrl: string = import.meta.url): string {
  const here = dirname(fileURLToPath(moduleUrl));
  if (moduleUrl.endsWith('.js')) return join(here, 'render-worker.js');
  return join(here, '..', '..', 'dist', 'supervisor', 'qr', 'render-worker.js');
}

export interface QrRendererOptions {
  /** Threads at most; QR images are asked for rarely, one is plenty for most workers. */
  maxThreads?: number;
  /** An idle thread exits after this long, so a worker that shows no QR holds no thread. */
  idleTimeoutMs?: number;
  workerPath?: string;
}

/**
 * Renders QR codes on a small piscina pool that starts its first thread on first use. `close()`
 * is idempotent and waits for the pool's threads to end.
 */
export class QrRenderer {
  private pool: Piscina | undefined;
  private closed: Promise<void> | undefined;
  private readonly workerPath: string;

  constructor(private readonly options: QrRendererOptions = {}) {
    this.workerPath = options.workerPath ?? renderWorkerPath();
  }

  async png(qr: string, width = 300, margin = 2): Promise<Buffer> {
    const out = await this.run({ kind: 'png', qr, width, margin });
    if (!(out instanceof Uint8Array)) throw new WorkerError('QR_RENDER_FAILED', 'the QR worker returned no image');
    return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
  }

  async terminal(qr: string): Promise<string> {
    const out = await this.run({ kind: 'terminal', qr });
    if (typeof out !== 'string') throw new WorkerError('QR_RENDER_FAILED', 'the QR worker returned no text');
    return out;
  }

  close(): Promise<void> {
    this.closed ??= this.pool ? this.pool.destroy() : Promise.resolve();
    return this.closed;
  }

  private async run(task: RenderTask): Promise<Uint8Array | string> {
    if (this.closed) throw new WorkerError('SHUTTING_DOWN', 'the QR renderer is closed');
    if (task.qr.length === 0 || task.qr.length > MAX_QR_LENGTH) throw new WorkerError('QR_RENDER_FAILED', `a QR string must have 1..${MAX_QR_LENGTH} characters`);
    try {
      return (await this.poolNow().run(task)) as Uint8Array | string;
    } catch (err) {
      throw new WorkerError('QR_RENDER_FAILED', `could not render the QR code: ${(err as Error)?.message ?? String(err)}`, { cause: err });
    }
  }

  private poolNow(): Piscina {
    if (!this.pool) {
      if (!existsSync(this.workerPath)) throw new WorkerError('QR_RENDER_FAILED', `QR render worker not built: ${this.workerPath} (run npm run build)`);
      this.pool = new Piscina({ filename: this.workerPath, minThreads: 0, maxThreads: this.options.maxThreads ?? 1, idleTimeout: this.options.idleTimeoutMs ?? 30_000 });
    }
    return this.pool;
  }
}
