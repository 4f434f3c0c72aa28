import { existsSync, readFileSync } from 'node:fs';
import { parse as parseDotenv } from 'dotenv';
import { ConfigError } from '../errors.js';
import { ParseProblem } from './parsers.js';
import { SPEC, type Config, type VarSpec } from './spec.js';

export type Env = Readonly<Record<string, string | undefined>>;

/**
 * Builds the frozen config from an environment. Pure: no I/O, no process access, so every
 * variable's parsing is unit-tested directly. Empty strings count as unset (a blank line in a
 * `.env` must not turn a default into an error). Cross-variable rules are checked last.
 */
export function parseConfig(env: Env): Config {
  const out: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(SPEC) as [string, VarSpec<unknown>][]) {
    const given = env[spec.name];
    const raw = given !== undefined && given.trim() !== '' ? given : spec.default;
    if (raw === undefined) {
      out[key] = undefined;
      continue;
    }
    try {
      out[key] = spec.parse(raw);
    } catch (err) {
      if (!(err instanceof ParseProblem)) throw err;
      const shown = spec.secret ? '<redacted>' : JSON.stringify(raw).slice(1, -1).slice(0, 100);
      throw new ConfigError(spec.name, `${spec.name}=${shown}: ${err.message}`);
    }
  }
  const cfg = out as Config;
  if (cfg.restartBackoffMaxMs < cfg.restartBackoffInitialMs) {
    throw new ConfigError(
      'RESTART_BACKOFF_MAX_MS',
      `RESTART_BACKOFF_MAX_MS=${cfg.restartBackoffMaxMs}: expected at least RESTART_BACKOFF_INITIAL_MS (${cfg.restartBackoffInitialMs})`,
    );
  }
  if (cfg.heartbeatTimeout > cfg.heartbeatInterval) {
    throw new ConfigError(
      'HEARTBEAT_TIMEOUT',
      `HEARTBEAT_TIMEOUT=${cfg.heartbeatTimeout}: expected at most HEARTBEAT_INTERVAL (${cfg.heartbeatInterval}) so beats never overlap`,
    );
  }
  return Object.freeze(cfg);
}

/**
 * Reads `.env` (when present) under the real environment: variables already set win, as with
 * dotenv's default. Returns the merged view without touching `process.env`.
 */
export function readEnvironment(processEnv: NodeJS.ProcessEnv = process.env, dotenvPath = '.env'): Env {
  if (!existsSync(dotenvPath)) return processEnv;
  const fromFile = parseDotenv(readFileSync(dotenvPath));
  return { ...fromFile, ...processEnv };
}

export function loadConfig(): Config {
  return parseConfig(readEnvironment());
}
