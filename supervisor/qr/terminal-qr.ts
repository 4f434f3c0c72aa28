import type { Logger } from '../../src/logger.js';
import type { SessionEvent } from '../../src/session-view.js';
import type { QrRenderer } from './qr-renderer.js';

/**
 * Pure: print QR codes to the terminal only for an operator at a terminal running the worker on
 * its own. In backend mode the QR goes to the backend; in a container log it would be noise.
 */
export function shouldPrintQr(input: { standalone: boolean; isTTY: boolean | undefined }): boolean {
  return input.standalone && input.isTTY === true;
}

export interface TerminalQrDeps {
  renderer: QrRenderer;
  subscribe(listener: (event: SessionEvent) => void): () => void;
  write(text: string): void;
  logger: Logger;
}

/** Prints each new QR or pairing code (session id first) as it is emitted; returns the unsubscribe function. */
export function printQrCodes(deps: TerminalQrDeps): () => void {
  return deps.subscribe((event) => {
    if (event.kind === 'pairing-code') {
      const code = `${event.pairingCode.slice(0, 4)}-${event.pairingCode.slice(4)}`;
      deps.write(`\nLink session ${event.sessionId}: on the phone +${event.phoneNumber}, WhatsApp → Linked devices → Link with phone number, enter ${code} (valid until ${event.expiresAt})\n`);
      return;
    }
    if (event.kind !== 'qr') return;
    deps.renderer.terminal(event.qr).then(
      (art) => deps.write(`\nScan with WhatsApp to link session ${event.sessionId} (QR ${event.attempt}, valid until ${event.expiresAt}):\n${art}\n`),
      (err: unknown) => deps.logger.warn({ err, sessionId: event.sessionId }, 'could not print the QR code'),
    );
  });
}
