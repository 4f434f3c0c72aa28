/**
 * Test-only preload (`node --import dist/test/wa-sim/trust-sim.js`) for processes that run real
 * Baileys sockets against the simulator. Production code has no switch for any of this.
 *
 * 1. Trust the simulator's root key (WA_SIM_ROOT_PUBLIC_KEY, base64) instead of WhatsApp's, on the
 *    same Baileys module instance the process runs: a session host runs the bundle
 *    (`dist/host/session-host.mjs`), whose Baileys is `dist/host/baileys.cjs` (keyed once the host's
 *    entry has run it, so it still goes through the host's code cache); any other process
 *    (test clients, the baseline) imports it from the project's node_modules.
 *    That is all it changes about trust: the verification itself is production code
 *    (session-host/wa-trust/), installed by the session host's entry (and by the test client).
 * 2. Refuse every non-loopback TCP connection, so a test can never reach the real WhatsApp.
 */
import net from 'node:net';
import { basename, dirname, join } from 'node:path';
import Module from 'node:module';

// A type-only namespace import: erased at run time, where the module is loaded below.
import type * as BaileysModule from '@whiskeysockets/baileys';

type Baileys = typeof BaileysModule;

/** The bundled host's own Baileys file (scripts/build-host.mjs); undefined for any other main module. */
function bundledBaileys(main: string | undefined): string | undefined {
  if (!main || basename(main) !== 'session-host.mjs' || basename(dirname(main)) !== 'host') return undefined;
  return join(dirname(main), 'baileys.cjs');
}

function trustSimulatorRoot(baileys: Baileys): void {
  const rootKey = process.env.WA_SIM_ROOT_PUBLIC_KEY;
  if (!rootKey) return;
  const key = Buffer.from(rootKey, 'base64');
  if (key.length !== 32) throw new Error('WA_SIM_ROOT_PUBLIC_KEY must be a base64 32-byte Curve25519 key');
  baileys.WA_CERT_DETAILS.PUBLIC_KEY = key;
}

const hostBaileys = bundledBaileys(process.argv[1]);
if (hostBaileys) {
  // A session host: its entry compiles baileys.cjs itself (with its code cache) and registers it in
  // Node's CommonJS cache; the key is set on that instance once it has run, long before any socket
  // exists (sockets wait for the supervisor's `init`). Loading it here first would compile it twice
  // over and keep it out of the code cache the host would run with in production.
  const cache = (Module as unknown as { _cache: Record<string, { exports: Baileys } | undefined> })._cache;
  let held: { exports: Baileys } | undefined;
  Object.defineProperty(cache, hostBaileys, {
    configurable: true,
    enumerable: true,
    get: () => held,
    set: (m: { exports: Baileys }) => {
      held = m;
      setImmediate(() => trustSimulatorRoot(m.exports));
    },
  });
} else {
  trustSimulatorRoot((await import('@whiskeysockets/baileys')) as Baileys);
}

const LOOPBACK_NAMES = new Set(['localhost', '::1', '[::1]', '0:0:0:0:0:0:0:1']);

export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase();
  return LOOPBACK_NAMES.has(h) || /^127\.\d+\.\d+\.\d+$/.test(h) || /^::ffff:127\.\d+\.\d+\.\d+$/.test(h);
}

/** The host a `socket.connect(...)` call targets, or undefined for a local (unix/pipe) path. */
function targetHost(args: unknown[]): string | undefined {
  const [first, second] = args;
  if (Array.isArray(first)) return targetHost(first); // net's internal normalized form
  if (first && typeof first === 'object') {
    const o = first as { path?: unknown; host?: unknown };
    if (typeof o.path === 'string') return undefined;
    return typeof o.host === 'string' ? o.host : 'localhost';
  }
  if (typeof first === 'string' && !/^\d+$/.test(first)) return undefined; // a path
  return typeof second === 'string' ? second : 'localhost';
}

const originalConnect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function patchedConnect(this: net.Socket, ...args: unknown[]) {
  const host = targetHost(args);
  if (host !== undefined && !isLoopbackHost(host)) {
    const err = Object.assign(new Error(`wa-sim preload: refused non-loopback connection to ${host}`), {
      code: 'WA_SIM_NON_LOOPBACK',
    });
    process.nextTick(() => this.destroy(err));
    return this;
  }
  return (originalConnect as (...a: unknown[]) => net.Socket).apply(this, args);
} as typeof net.Socket.prototype.connect;
