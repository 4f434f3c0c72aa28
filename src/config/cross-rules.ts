import { ConfigError } from '../errors.js';
import { SPEC, type Config } from './spec.js';

/**
 * Pairs of variables where one must not exceed the other. Pure: the rules, and how they resolve
 * against what the operator actually set.
 *
 * Only values the operator set are held against each other. A default that would break a rule
 * against a set value follows it instead: setting only `HEARTBEAT_INTERVAL=2000` makes the
 * timeout default `min(10000, 2000)`, never an error about a value nobody chose.
 */
export interface OrderRule {
  readonly lower: keyof Config & keyof typeof SPEC;
  readonly upper: keyof Config & keyof typeof SPEC;
  /** Which of the two the error names when both were set and disagree. */
  readonly blame: 'lower' | 'upper';
  readonly why?: string;
}

export const ORDER_RULES: readonly OrderRule[] = [
  { lower: 'restartBackoffInitialMs', upper: 'restartBackoffMaxMs', blame: 'upper' },
  { lower: 'heartbeatTimeout', upper: 'heartbeatInterval', blame: 'lower', why: 'so beats never overlap' },
];

/**
 * Applies every rule to a parsed config. `given` holds the config keys the operator set (not
 * defaults). Returns the config with derived defaults applied; throws ConfigError when two set
 * values disagree.
 */
export function applyOrderRules(cfg: Record<string, unknown>, given: ReadonlySet<string>): void {
  for (const rule of ORDER_RULES) {
    const lo = cfg[rule.lower] as number;
    const hi = cfg[rule.upper] as number;
    if (lo <= hi) continue;
    const loSet = given.has(rule.lower);
    const hiSet = given.has(rule.upper);
    if (loSet && hiSet) throw orderError(rule, lo, hi);
    // One side is a default: it follows the value the operator set.
    if (loSet) cfg[rule.upper] = lo;
    else cfg[rule.lower] = hi;
  }
}

function orderError(rule: OrderRule, lo: number, hi: number): ConfigError {
  const loName = SPEC[rule.lower].name;
  const hiName = SPEC[rule.upper].name;
  const tail = rule.why ? ` ${rule.why}` : '';
  return rule.blame === 'upper'
    ? new ConfigError(hiName, `${hiName}=${hi}: expected at least ${loName} (${lo})${tail}`)
    : new ConfigError(loName, `${loName}=${lo}: expected at most ${hiName} (${hi})${tail}`);
}
