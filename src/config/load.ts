import { existsSync, readFileSync } from 'node:fs';
import { parse as parseDotenv } from 'dotenv';
import { ConfigError } from '../errors.js';
import { applyOrderRules } from './cross-rules.js';
import { listenHost } from './listen.js';
import { ParseProblem } from './parsers.js';
import { SPEC, type Config, type VarSpec } from './spec.js';

export type Env = Readonly<Record<string, string | undefined>>;

/**
 * Builds the frozen config from an environment. Pure: no I/O, no process access, so every
 * variable's parsing is unit-tested directly. Empty strings count as unset (a blank line in a
 * `.env` must not turn a default into an error). Cross-variable rules are applied last (`cross-rules.ts`):
 * only values the operator set are held against each other; a default follows a set value.
 */
export function parseConfig(env: Env): Config {
  const out: Record<string, unknown> = {};
  const given = new Set<string>();
  for (const [key, spec] of Object.entries(SPEC) as [string, VarSpec<unknown>][]) {
    const value = env[spec.name];
    const isSet = value !== undefined && value.trim() !== '';
    if (isSet) given.add(key);
    const raw = isSet ? value : spec.default;
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
  applyOrderRules(out, given);
  const cfg = out as Config;
  // Fills in HOST's default, or refuses a network-facing API without a token (exit 2).
  (cfg as { host: string | undefined }).host = listenHost(cfg);
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
