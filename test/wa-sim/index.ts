/**
 * Public entry of the WhatsApp server simulator for tests. See README.md for what is simulated.
 * Other test suites code against these names: keep them stable.
 */
import { listen, type SimOptions, type WaSimulator } from './simulator.js';

export type { SimOptions, SimDevice } from './simulator.js';
export type { SimMessage } from './messaging.js';
export type WaSim = WaSimulator;

export async function startSimulator(opts: SimOptions = {}): Promise<WaSim> {
  return listen(opts);
}
