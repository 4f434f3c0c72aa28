/**
 * Public entry of the WhatsApp server simulator for tests. See README.md for what is simulated.
 * Other test suites code against these names: keep them stable.
 */
import { listen, type SimOptions, type WaSimulator } from './simulator.js';

export type { SimOptions, SimDevice } from './simulator.js';
export type { SimMessage } from './messaging.js';
export type { SimMedia, OutgoingSimMedia, SimMediaType } from './media.js';
export type { Hold, HeldQuery } from './holds.js';
/**
 * The simulator as tests see it. Server actions: `forceLogout`, `forgetDevice`, `dropConnection`,
 * `replaceConnection`, `stall`, `failNextLogin`, `closeWithStreamError(phone, code)`; a client's own
 * logout (remove-companion-device) forgets its device and emits `device-removed`.
 */
export type WaSim = WaSimulator;

export async function startSimulator(opts: SimOptions = {}): Promise<WaSim> {
  return listen(opts);
}
