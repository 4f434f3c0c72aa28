/**
 * Experiment (issue 15, phase 1): the entry of the snapshot host (bench/snapshot/build.mjs).
 * While `--build-snapshot` runs it, every module the host's main imports is evaluated (Baileys,
 * pino, the host's own modules) and so lands in the blob; main's own body (title, IPC channel,
 * signal handlers, init wait) runs only in the deserialised process, through the lazy `require`
 * (esbuild wraps a required ESM file in an init function). Without a snapshot (`node host.cjs`)
 * it runs the same way, in one go.
 */
import * as v8 from 'node:v8';
import * as baileys from '@whiskeysockets/baileys';
import '../../session-host/log/console-guard.js';
import '../../src/errors.js';
import '../../src/exit-codes.js';
import '../../src/logger.js';
import '../../session-host/boot-cost.js';
import '../../session-host/host.js';
import '../../session-host/ipc-channel.js';
import '../../session-host/startup-args.js';
import '../../session-host/wa-trust/install.js';

const INIT_WASM = Symbol.for('wa.snapshot.initWasm');
const g = globalThis as unknown as Record<symbol, unknown>;
/** The instance the host runs, for the simulator's `--require` preload (test/wa-sim's trust root). */
g[Symbol.for('wa.snapshot.baileys')] = baileys;

const initWasm = () => (g[INIT_WASM] as () => void)();
const runMain = () => {
  require('../../session-host/main.js');
};

if (v8.startupSnapshot.isBuildingSnapshot()) {
  v8.startupSnapshot.addDeserializeCallback(() => {
    g[Symbol.for('wa.snapshot.building')] = false;
    initWasm();
  });
  v8.startupSnapshot.setDeserializeMainFunction(runMain);
} else {
  g[Symbol.for('wa.snapshot.building')] = false;
  initWasm();
  runMain();
}
