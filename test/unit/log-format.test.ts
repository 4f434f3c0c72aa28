/** LOG_FORMAT (pretty|json) decides the log format whatever the terminal; LOG_PRETTY is its older switch. */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.js';
import { prettyLogs } from '../../src/logger.js';

describe('LOG_FORMAT', () => {
  it('wins over LOG_PRETTY, which still works alone; neither = TTY detection', () => {
    const of = (env: Record<string, string>): boolean | undefined => {
      const cfg = parseConfig(env);
      return prettyLogs(cfg.logFormat, cfg.logPretty);
    };
    expect(of({ LOG_FORMAT: 'json', LOG_PRETTY: 'true' })).toBe(false);
    expect(of({ LOG_FORMAT: 'pretty' })).toBe(true);
    expect(of({ LOG_PRETTY: 'false' })).toBe(false);
    expect(of({})).toBeUndefined();
  });
});
