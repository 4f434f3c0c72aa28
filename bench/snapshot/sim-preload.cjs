// Experiment (issue 15, phase 1): test/wa-sim/trust-sim.ts for a snapshot host. Node 20 runs
// `--require` preloads before a snapshot's main function but ignores `--import` ones, and the
// host's Baileys lives inside the blob: the entry exposes it as globalThis[Symbol.for('wa.snapshot.baileys')].
// Same two jobs as trust-sim.ts: trust the simulator's root key, refuse non-loopback TCP.
'use strict';
const net = require('node:net');
const baileys = globalThis[Symbol.for('wa.snapshot.baileys')];
if (!baileys) throw new Error('sim-preload.cjs: no snapshot Baileys (run it with --snapshot-blob)');
const rootKey = process.env.WA_SIM_ROOT_PUBLIC_KEY;
if (rootKey) {
  const key = Buffer.from(rootKey, 'base64');
  if (key.length !== 32) throw new Error('WA_SIM_ROOT_PUBLIC_KEY must be a base64 32-byte Curve25519 key');
  baileys.WA_CERT_DETAILS.PUBLIC_KEY = key;
}
const LOOPBACK = new Set(['localhost', '::1', '[::1]', '0:0:0:0:0:0:0:1']);
const isLoopback = (h) => LOOPBACK.has(h.toLowerCase()) || /^127\.\d+\.\d+\.\d+$/.test(h) || /^::ffff:127\.\d+\.\d+\.\d+$/i.test(h);
function targetHost(args) {
  const [first, second] = args;
  if (Array.isArray(first)) return targetHost(first);
  if (first && typeof first === 'object') return typeof first.path === 'string' ? undefined : typeof first.host === 'string' ? first.host : 'localhost';
  if (typeof first === 'string' && !/^\d+$/.test(first)) return undefined;
  return typeof second === 'string' ? second : 'localhost';
}
const originalConnect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function patchedConnect(...args) {
  const host = targetHost(args);
  if (host !== undefined && !isLoopback(host)) {
    const err = Object.assign(new Error(`wa-sim preload: refused non-loopback connection to ${host}`), { code: 'WA_SIM_NON_LOOPBACK' });
    process.nextTick(() => this.destroy(err));
    return this;
  }
  return originalConnect.apply(this, args);
};
