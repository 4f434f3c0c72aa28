/** Pure: `npm run chaos -- --seed 7 --sessions 30 --duration 180` → chaos options. */
import { DEFAULT_CHAOS, type ChaosOptions } from '../test/e2e/chaos/plan.js';

const FLAGS: Record<string, keyof ChaosOptions> = {
  '--seed': 'seed',
  '--sessions': 'sessions',
  '--host-kills': 'hostKills',
  '--supervisor-kills': 'supervisorKills',
};

export function parseChaosArgs(argv: readonly string[], randomSeed: () => number): ChaosOptions {
  const o: ChaosOptions = { ...DEFAULT_CHAOS, seed: randomSeed() };
  for (let i = 0; i < argv.length; i += 2) {
    const flag = argv[i]!;
    const raw = argv[i + 1];
    const n = Number(raw);
    if (raw === undefined || !Number.isInteger(n) || n < 0) throw new Error(`${flag} needs a whole number, got "${raw ?? ''}"`);
    if (flag === '--duration') o.durationMs = n * 1000;
    else if (flag === '--s3-outage') o.s3OutageMs = n * 1000;
    else if (flag === '--backend-outage') o.backendOutageMs = n * 1000;
    else if (FLAGS[flag]) (o[FLAGS[flag]] as number) = n;
    else throw new Error(`unknown flag ${flag} (known: --seed --sessions --duration --host-kills --supervisor-kills --s3-outage --backend-outage)`);
  }
  if (o.sessions < 1) throw new Error('--sessions must be at least 1');
  return o;
}
