/**
 * `npm run chaos [-- --seed N --sessions 30 --duration 180 ...]`: the chaos run of issue 13 §8
 * (test/e2e/chaos/run.ts) with its defaults, printed seed and report in bench/results/chaos-<time>.json.
 * Exits 1 when an invariant broke, naming it, the session and the moment.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runChaos } from '../test/e2e/chaos/run.js';
import { parseChaosArgs } from './chaos-args.js';
import { buildAll, ROOT } from './lib/build.js';

const options = parseChaosArgs(process.argv.slice(2), () => Math.floor(Math.random() * 1_000_000));
console.log(`chaos: seed ${options.seed} (replay with --seed ${options.seed}), ${options.sessions} sessions, ${options.durationMs / 1000} s`);
await buildAll({ baseline: false });
const report = await runChaos(options, (line) => console.log(`chaos: ${line}`));
const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT }).toString().trim();
const dirty = execFileSync('git', ['status', '--porcelain'], { cwd: ROOT }).toString().trim() !== '';
const dir = join(ROOT, 'bench', 'results');
mkdirSync(dir, { recursive: true });
const file = join(dir, `chaos-${report.startedAt.replace(/[:.]/g, '-')}.json`);
writeFileSync(file, `${JSON.stringify({ ...report, node: process.version, commit, dirty }, null, 2)}\n`);
console.log(`chaos: ${JSON.stringify({ counts: report.counts, messagesIn: report.messagesIn, messagesOut: report.messagesOut, generations: report.generations, qrRoundsAfterPairing: report.qrRoundsAfterPairing, orphanHosts: report.orphanHosts })}`);
for (const v of report.violations) console.log(`chaos: VIOLATION ${v.invariant}${v.sessionId ? ` [${v.sessionId}]` : ''} at +${v.atMs} ms: ${v.detail}`);
console.log(`chaos: ${report.passed ? 'PASSED' : 'FAILED'}; report ${file}`);
process.exit(report.passed ? 0 : 1);
