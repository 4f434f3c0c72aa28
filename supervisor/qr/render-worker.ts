/**
 * Piscina worker (runs as compiled JS: dist/supervisor/qr/render-worker.js). Encoding a QR code and
 * drawing its PNG is CPU work; here it stays off the supervisor's event loop, which serves hundreds
 * of hosts' IPC and the API.
 */
import QRCode from 'qrcode';
import type { RenderTask } from './render-task.js';

export default async function render(task: RenderTask): Promise<Uint8Array | string> {
  if (task.kind === 'terminal') return QRCode.toString(task.qr, { type: 'terminal', small: true, errorCorrectionLevel: 'L' });
  return QRCode.toBuffer(task.qr, { type: 'png', width: task.width, margin: task.margin, errorCorrectionLevel: 'M' });
}
