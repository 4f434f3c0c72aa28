/**
 * Cross-variable rules (src/config/cross-rules.ts): only values the operator set are held against
 * each other; a default that would break a rule follows the value that was set.
 */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.js';
import { ORDER_RULES } from '../../src/config/cross-rules.js';
import { SPEC } from '../../src/config/spec.js';
import { ConfigError } from '../../src/errors.js';

function errorOf(env: Record<string, string>): ConfigError {
  try {
    parseConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error(`no ConfigError for ${JSON.stringify(env)}`);
}

describe('derived defaults follow what the operator set', () => {
  it('HEARTBEAT_INTERVAL=2000 alone starts, with the timeout following it', () => {
    const cfg = parseConfig({ HEARTBEAT_INTERVAL: '2000' });
    expect(cfg.heartbeatInterval).toBe(2000);
    expect(cfg.heartbeatTimeout).toBe(2000);
  });

  it('HEARTBEAT_INTERVAL above the default timeout keeps the default timeout', () => {
    expect(parseConfig({ HEARTBEAT_INTERVAL: '60000' }).heartbeatTimeout).toBe(10_000);
  });

  it('HEARTBEAT_TIMEOUT alone above the default interval raises the interval with it', () => {
    const cfg = parseConfig({ HEARTBEAT_TIMEOUT: '45000' });
    expect(cfg.heartbeatTimeout).toBe(45_000);
    expect(cfg.heartbeatInterval).toBe(45_000);
  });

  it('RESTART_BACKOFF_INITIAL_MS alone above the default cap raises the cap with it', () => {
    const cfg = parseConfig({ RESTART_BACKOFF_INITIAL_MS: '120000' });
    expect(cfg.restartBackoffInitialMs).toBe(120_000);
    expect(cfg.restartBackoffMaxMs).toBe(120_000);
  });

  it('RESTART_BACKOFF_MAX_MS alone below the default initial backoff lowers the initial backoff', () => {
    const cfg = parseConfig({ RESTART_BACKOFF_MAX_MS: '500' });
    expect(cfg.restartBackoffMaxMs).toBe(500);
    expect(cfg.restartBackoffInitialMs).toBe(500);
  });

  it('blank values count as unset, so their defaults follow too', () => {
    expect(parseConfig({ HEARTBEAT_INTERVAL: '2000', HEARTBEAT_TIMEOUT: ' ' }).heartbeatTimeout).toBe(2000);
  });
});

describe('two values the operator set that disagree stop start-up, naming one variable', () => {
  it('heartbeat timeout over the interval names HEARTBEAT_TIMEOUT', () => {
    const err = errorOf({ HEARTBEAT_INTERVAL: '2000', HEARTBEAT_TIMEOUT: '3000' });
    expect(err.variable).toBe('HEARTBEAT_TIMEOUT');
    expect(err.message).toBe('HEARTBEAT_TIMEOUT=3000: expected at most HEARTBEAT_INTERVAL (2000) so beats never overlap');
  });

  it('backoff cap under the initial backoff names RESTART_BACKOFF_MAX_MS', () => {
    const err = errorOf({ RESTART_BACKOFF_INITIAL_MS: '2000', RESTART_BACKOFF_MAX_MS: '1000' });
    expect(err.variable).toBe('RESTART_BACKOFF_MAX_MS');
    expect(err.message).toBe('RESTART_BACKOFF_MAX_MS=1000: expected at least RESTART_BACKOFF_INITIAL_MS (2000)');
  });

  it('every rule: the defaults agree, and each side set alone never fails', () => {
    const defaults = parseConfig({}) as unknown as Record<string, number>;
    for (const rule of ORDER_RULES) {
      expect(defaults[rule.lower]).toBeLessThanOrEqual(defaults[rule.upper] as number);
      const lowName = SPEC[rule.lower].name;
      const highName = SPEC[rule.upper].name;
      // A set value far past the other's default, on either side.
      const big = String((defaults[rule.upper] as number) * 4);
      const small = String(Math.max(1000, Math.floor((defaults[rule.lower] as number) / 4)));
      expect(() => parseConfig({ [lowName]: big })).not.toThrow();
      expect(() => parseConfig({ [highName]: small })).not.toThrow();
    }
  });
});
