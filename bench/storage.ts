/**
 * Codec benchmark: pack (+ encrypt) and unpack a realistic auth folder (creds + 800 pre-keys +
 * sessions + app-state keys). The target is "well under 100 ms" per snapshot on one core.
 * Run: npm run bench:storage
 */
import { randomBytes } from 'node:crypto';
import { decodeSnapshot, encodeSnapshot, toEncryptionKeys } from '../src/storage/codec/index.js';
import { realisticAuthFolder } from '../test/storage/fixtures/auth-folder.js';

const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 30);
const files = realisticAuthFolder({ preKeys: 800, sessions: 20 });
const rawBytes = [...files.values()].reduce((n, b) => n + b.length, 0);
const [key] = toEncryptionKeys([randomBytes(32)]);

function measure(label: string, fn: () => void): number {
  for (let i = 0; i < 3; i++) fn(); // warm-up
  const times: number[] = [];
  for (let i = 0; i < ITERATIONS; i++) {
    const started = performance.now();
    fn();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)] as number;
  const p95 = times[Math.min(times.length - 1, Math.floor(times.length * 0.95))] as number;
  console.log(`${label.padEnd(28)} median ${median.toFixed(2).padStart(7)} ms   p95 ${p95.toFixed(2).padStart(7)} ms`);
  return p95;
}

const plain = encodeSnapshot({ sessionId: 'bench', generation: 1, workerId: 'bench', files });
const sealed = encodeSnapshot({ sessionId: 'bench', generation: 1, workerId: 'bench', files }, key);
console.log(`folder: ${files.size} files, ${(rawBytes / 1024).toFixed(0)} KiB raw -> ${(plain.blob.length / 1024).toFixed(0)} KiB plain, ${(sealed.blob.length / 1024).toFixed(0)} KiB encrypted; ${ITERATIONS} iterations`);
const worst = Math.max(
  measure('pack', () => encodeSnapshot({ sessionId: 'bench', generation: 1, workerId: 'bench', files })),
  measure('pack + encrypt', () => encodeSnapshot({ sessionId: 'bench', generation: 1, workerId: 'bench', files }, key)),
  measure('verify + unpack', () => decodeSnapshot(plain.blob, { sessionId: 'bench' }, [])),
  measure('decrypt + verify + unpack', () => decodeSnapshot(sealed.blob, { sessionId: 'bench' }, key ? [key] : [])),
);
console.log(worst < 100 ? `ok: every p95 under 100 ms (worst ${worst.toFixed(2)} ms)` : `SLOW: worst p95 ${worst.toFixed(2)} ms is over 100 ms`);
