import { accessSync, constants } from 'node:fs';
import { parseProxyUrl, PROXY_SCHEMES } from '../proxy/proxy-url.js';

/**
 * Pure value parsers for configuration. Each returns the parsed value or throws a `ParseProblem`
 * whose text says what is allowed; the loader adds the variable name and the (redacted) value.
 */
export class ParseProblem extends Error {}

export type Parser<T> = (raw: string) => T;

export function integer(min: number, max: number): Parser<number> {
  return (raw) => {
    const trimmed = raw.trim();
    if (!/^-?\d+$/.test(trimmed)) throw new ParseProblem(`expected an integer ${min}-${max}`);
    const value = Number(trimmed);
    if (!Number.isSafeInteger(value) || value < min || value > max) {
      throw new ParseProblem(`expected an integer ${min}-${max}`);
    }
    return value;
  };
}

export const boolean: Parser<boolean> = (raw) => {
  const v = raw.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(v)) return true;
  if (['false', '0', 'no', 'off'].includes(v)) return false;
  throw new ParseProblem('expected true or false');
};

export function oneOf<T extends string>(values: readonly T[]): Parser<T> {
  return (raw) => {
    const v = raw.trim().toLowerCase();
    const hit = values.find((x) => x === v);
    if (hit === undefined) throw new ParseProblem(`expected one of ${values.join(', ')}`);
    return hit;
  };
}

export function text(options: { pattern?: RegExp; describe?: string; maxLength?: number } = {}): Parser<string> {
  return (raw) => {
    const v = raw.trim();
    if (v.length === 0) throw new ParseProblem('expected a non-empty value');
    if (options.maxLength !== undefined && v.length > options.maxLength) {
      throw new ParseProblem(`expected at most ${options.maxLength} characters`);
    }
    if (options.pattern && !options.pattern.test(v)) {
      throw new ParseProblem(`expected ${options.describe ?? options.pattern.source}`);
    }
    return v;
  };
}

export function url(protocols: readonly string[]): Parser<string> {
  return (raw) => {
    const v = raw.trim();
    let parsed: URL;
    try {
      parsed = new URL(v);
    } catch {
      throw new ParseProblem(`expected a URL (${protocols.join(' or ')})`);
    }
    if (!protocols.includes(parsed.protocol.replace(/:$/, ''))) {
      throw new ParseProblem(`expected a URL (${protocols.join(' or ')})`);
    }
    // Keep the caller's spelling but drop a trailing slash so route joins stay predictable.
    return v.replace(/\/+$/, '');
  };
}

/** Comma-separated list of tokens; empty items are dropped. */
export function list(itemPattern: RegExp, describe: string): Parser<readonly string[]> {
  return (raw) => {
    const items = raw
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0);
    for (const item of items) {
      if (!itemPattern.test(item)) throw new ParseProblem(`expected a comma-separated list of ${describe}`);
    }
    return Object.freeze(items);
  };
}

/**
 * A 32-byte AES-256 key given as 64 hex characters or base64 (44 characters with padding).
 * Returned as a Buffer; never echoed in errors.
 */
export const aesKey: Parser<Buffer> = (raw) => {
  const v = raw.trim();
  let key: Buffer | undefined;
  if (/^[0-9a-fA-F]{64}$/.test(v)) key = Buffer.from(v, 'hex');
  else if (/^[A-Za-z0-9+/_-]{42,44}={0,2}$/.test(v)) {
    const b = Buffer.from(v.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (b.length === 32) key = b;
  }
  if (!key) throw new ParseProblem('expected 32 bytes as 64 hex characters or base64');
  return key;
};

/**
 * Node/V8 command-line flags, space separated (`--name` or `--name=value`); `none` = no flags.
 * Only flags, never paths or scripts: this value becomes part of every host's execArgv.
 */
export const nodeFlags: Parser<readonly string[]> = (raw) => {
  const v = raw.trim();
  if (v.toLowerCase() === 'none') return Object.freeze([]);
  const flags = v.split(/\s+/);
  for (const flag of flags) {
    if (!/^--[a-z0-9][a-z0-9-]*(=[A-Za-z0-9._,-]+)?$/.test(flag)) {
      throw new ParseProblem('expected space-separated flags like --max-semi-space-size=1, or none');
    }
  }
  return Object.freeze(flags);
};

/**
 * glibc tunables (`glibc.<namespace>.<name>=<value>`, colon separated, as GLIBC_TUNABLES takes them);
 * `none` = none (undefined). Names and numbers only: the value lands in every host's environment.
 */
export const glibcTunables: Parser<string | undefined> = (raw) => {
  const v = raw.trim();
  if (v.toLowerCase() === 'none') return undefined;
  if (!/^glibc\.[a-z_]+\.[a-z_]+=[0-9A-Za-z_]+(:glibc\.[a-z_]+\.[a-z_]+=[0-9A-Za-z_]+)*$/.test(v)) {
    throw new ParseProblem('expected glibc tunables like glibc.malloc.mmap_threshold=32768 (colon separated), or none');
  }
  return v;
};

/** An absolute path to an executable file (a node binary); checked at start-up, not at first fork. */
export const executablePath: Parser<string> = (raw) => {
  const p = raw.trim();
  if (!p.startsWith('/')) throw new ParseProblem('expected an absolute path to an executable node binary');
  try {
    accessSync(p, constants.X_OK);
  } catch {
    throw new ParseProblem('expected an absolute path to an executable node binary');
  }
  return p;
};

/**
 * The backend's base URL. Both profiles' routes start with `/api/`, so a URL ending in `/api` (a
 * common copy from the backend's docs) would call `/api/api/...` and get 404 for everything:
 * refused with the URL to use instead.
 */
export function backendUrl(): Parser<string> {
  const base = url(['http', 'https']);
  return (raw) => {
    const v = base(raw);
    if (/\/api$/i.test(new URL(v).pathname)) {
      throw new ParseProblem(`expected the backend's base URL without /api (every route the worker calls starts with /api/): use ${v.replace(/\/api$/i, '')}`);
    }
    return v;
  };
}

/**
 * An egress proxy URL (src/proxy/proxy-url.ts): http, https, socks5 or socks5h, host and an
 * explicit port, optional credentials; returned normalised. The loader never echoes it (secret).
 */
export const proxyUrl: Parser<string> = (raw) => {
  try {
    return parseProxyUrl(raw).url;
  } catch {
    throw new ParseProblem(`expected scheme://[user:password@]host:port with scheme ${PROXY_SCHEMES.join(', ')}`);
  }
};
