import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALL_VARIABLES, parseConfig, readEnvironment, SPEC, type Config } from '../../src/config/index.js';
import { ConfigError } from '../../src/errors.js';
import { CASES, SECRET_VARIABLES } from './config-cases.js';

const keyOf = new Map(Object.entries(SPEC).map(([key, spec]) => [spec.name, key as keyof Config]));
const valueOf = (cfg: Config, name: string): unknown => cfg[keyOf.get(name)!];

function configErrorOf(env: Record<string, string>): ConfigError {
  try {
    parseConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error(`parseConfig accepted ${JSON.stringify(env).slice(0, 120)}`);
}

describe('config: the case table covers the spec', () => {
  it('names exactly the variables of src/config/spec.ts', () => {
    expect(Object.keys(CASES).sort()).toEqual([...ALL_VARIABLES].sort());
  });
  it('marks exactly the secret variables as secret', () => {
    const secret = Object.values(SPEC).filter((s) => 'secret' in s && s.secret).map((s) => s.name);
    expect(secret.sort()).toEqual([...SECRET_VARIABLES].sort());
  });
});

describe.each(Object.entries(CASES))('config variable %s', (name, c) => {
  it('has its documented default when unset, empty or blank', () => {
    expect(valueOf(parseConfig({}), name)).toEqual(c.default);
    expect(valueOf(parseConfig({ [name]: '' }), name)).toEqual(c.default);
    expect(valueOf(parseConfig({ [name]: '   ' }), name)).toEqual(c.default);
  });

  it.each(c.good.map(([raw, value]) => [raw.length > 40 ? `${raw.slice(0, 40)}…` : raw, raw, value] as const))('parses %j', (_label, raw, value) => {
    expect(valueOf(parseConfig({ [name]: raw }), name)).toEqual(value);
  });

  if (c.bad.length > 0) {
    it.each(c.bad.map((raw) => [raw.length > 40 ? `${raw.slice(0, 40)}…` : raw, raw] as const))('rejects %j with one line naming it', (_label, raw) => {
      const err = configErrorOf({ [name]: raw });
      expect(err.code).toBe('CONFIG_INVALID');
      expect(err.variable).toBe(name);
      const shown = SECRET_VARIABLES.includes(name) ? '<redacted>' : raw.trim().slice(0, 100);
      expect(err.message).toBe(`${name}=${shown}: ${c.allowed}`);
      expect(err.message).not.toContain('\n');
    });
  }
});

describe('config: API exposure (issue 16 §4: secure by default)', () => {
  it('HOST defaults to loopback without a token and to every interface with one', () => {
    expect(parseConfig({}).host).toBe('127.0.0.1');
    expect(parseConfig({ WORKER_AUTH_TOKEN: 't' }).host).toBe('0.0.0.0');
    expect(parseConfig({ ALLOW_UNAUTHENTICATED_API: 'true' }).host).toBe('127.0.0.1');
  });

  it.each(['0.0.0.0', '::', '10.1.2.3', 'worker-1.internal', '128.0.0.1'])('HOST=%s without a token stops start-up with one line saying what to set', (host) => {
    const err = configErrorOf({ HOST: host });
    expect(err.variable).toBe('HOST');
    expect(err.message).toBe(
      `HOST=${host} without WORKER_AUTH_TOKEN would open the session API to the network: set WORKER_AUTH_TOKEN, or ALLOW_UNAUTHENTICATED_API=true to accept an unauthenticated API (or HOST=127.0.0.1)`,
    );
  });

  it('a non-loopback HOST is accepted with a token, or with the explicit opt-in', () => {
    expect(parseConfig({ HOST: '0.0.0.0', WORKER_AUTH_TOKEN: 't' }).host).toBe('0.0.0.0');
    expect(parseConfig({ HOST: '0.0.0.0', ALLOW_UNAUTHENTICATED_API: 'true' }).host).toBe('0.0.0.0');
    expect(parseConfig({ HOST: '::ffff:127.0.0.1' }).host).toBe('::ffff:127.0.0.1');
  });
});

describe('config: specific rules', () => {
  it('gives the issue\'s example line for PORT=abc', () => {
    expect(configErrorOf({ PORT: 'abc' }).message).toBe('PORT=abc: expected an integer 1-65535');
  });

  it('never prints a secret, not even part of it', () => {
    const secret = 'Sup3rS3cretValue';
    // Every secret variable that can be invalid at all (S3 keys accept any non-empty value).
    for (const name of SECRET_VARIABLES.filter((n) => CASES[n]!.bad.length > 0)) {
      const raw = name.startsWith('AUTH_') ? secret : `${secret}${'x'.repeat(4100)}`;
      const err = configErrorOf({ [name]: raw });
      expect(err.message).toContain('<redacted>');
      expect(err.message).not.toContain('Sup3r');
      expect(JSON.stringify(err.toJSON())).not.toContain('Sup3r');
    }
  });

  it('keeps the error on one line when the value holds a newline, and cuts long values', () => {
    expect(configErrorOf({ PORT: '80\n81' }).message).toBe('PORT=80\\n81: expected an integer 1-65535');
    const long = configErrorOf({ WORKER_ID: 'x'.repeat(300) }).message;
    expect(long).toBe(`WORKER_ID=${'x'.repeat(100)}: expected [A-Za-z0-9_.-]{1,128}`);
  });

  it('refuses a BACKEND_URL that ends in /api, naming the base URL to use (issue 20 §3)', () => {
    for (const [raw, base] of [['https://wa.example.com/api', 'https://wa.example.com'], ['http://127.0.0.1:8000/api/', 'http://127.0.0.1:8000'], ['https://x.example/gw/API', 'https://x.example/gw']]) {
      expect(configErrorOf({ BACKEND_URL: raw }).message).toBe(`BACKEND_URL=${raw}: expected the backend's base URL without /api (every route the worker calls starts with /api/): use ${base}`);
    }
    expect(parseConfig({ BACKEND_URL: 'https://wa.example.com/apis' }).backendUrl).toBe('https://wa.example.com/apis');
  });

  it('rejects a restart backoff cap below the initial backoff', () => {
    const err = configErrorOf({ RESTART_BACKOFF_INITIAL_MS: '5000', RESTART_BACKOFF_MAX_MS: '4000' });
    expect(err.variable).toBe('RESTART_BACKOFF_MAX_MS');
    expect(err.message).toBe('RESTART_BACKOFF_MAX_MS=4000: expected at least RESTART_BACKOFF_INITIAL_MS (5000)');
    expect(parseConfig({ RESTART_BACKOFF_INITIAL_MS: '5000', RESTART_BACKOFF_MAX_MS: '5000' }).restartBackoffMaxMs).toBe(5000);
  });

  it('rejects a heartbeat timeout longer than the interval', () => {
    const err = configErrorOf({ HEARTBEAT_INTERVAL: '5000', HEARTBEAT_TIMEOUT: '6000' });
    expect(err.variable).toBe('HEARTBEAT_TIMEOUT');
    expect(err.message).toBe('HEARTBEAT_TIMEOUT=6000: expected at most HEARTBEAT_INTERVAL (5000) so beats never overlap');
  });

  it('reports the first bad variable in spec order when several are bad', () => {
    expect(configErrorOf({ LOG_LEVEL: 'loud', PORT: 'abc' }).variable).toBe('PORT');
  });

  it('returns a frozen object, including list values', () => {
    const cfg = parseConfig({});
    expect(Object.isFrozen(cfg)).toBe(true);
    expect(Object.isFrozen(cfg.workerFeatures)).toBe(true);
    expect(() => {
      (cfg as { port: number }).port = 1;
    }).toThrow(TypeError);
  });

  it('ignores variables it does not know', () => {
    expect(parseConfig({ SOMETHING_ELSE: 'x', PATH: '/bin' })).toEqual(parseConfig({}));
  });
});

describe('config: reading the environment and .env', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wa-config-'));

  it('reads a .env file under the environment; the environment wins', () => {
    const file = join(dir, 'a.env');
    writeFileSync(file, '# comment\nPORT=4000\nLOG_LEVEL=debug\nBACKEND_PROFILE=whatsam\n');
    const env = readEnvironment({ PORT: '5000' }, file);
    const cfg = parseConfig(env);
    expect(cfg.port).toBe(5000);
    expect(cfg.logLevel).toBe('debug');
    expect(cfg.backendProfile).toBe('whatsam');
  });

  it('uses the environment alone when there is no .env file', () => {
    const env = readEnvironment({ PORT: '5001' }, join(dir, 'missing.env'));
    expect(env).toEqual({ PORT: '5001' });
  });

  it('does not copy .env values into the real process.env', () => {
    const file = join(dir, 'b.env');
    writeFileSync(file, 'WA_CONFIG_TEST_ONLY_MARKER=1\n');
    readEnvironment({}, file);
    expect(process.env.WA_CONFIG_TEST_ONLY_MARKER).toBeUndefined();
  });
});
