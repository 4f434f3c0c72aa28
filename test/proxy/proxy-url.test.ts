import { describe, expect, it } from 'vitest';
import { WorkerError } from '../../src/errors.js';
import { parseProxyUrl, redactProxyUrl } from '../../src/proxy/proxy-url.js';

function problemOf(raw: unknown): string {
  try {
    parseProxyUrl(raw);
  } catch (err) {
    expect(err).toBeInstanceOf(WorkerError);
    expect((err as WorkerError).code).toBe('PROXY_URL_INVALID');
    return String((err as WorkerError).details?.problem);
  }
  throw new Error(`accepted ${String(raw)}`);
}

describe('proxy URL (issue 19 §2): parse, validate, redact', () => {
  it.each([
    ['http://127.0.0.1:3128', 'http', '127.0.0.1', 3128, 'http://127.0.0.1:3128'],
    ['https://proxy.example:443', 'https', 'proxy.example', 443, 'https://proxy.example:443'],
    ['SOCKS5://10.0.0.1:1080/', 'socks5', '10.0.0.1', 1080, 'socks5://10.0.0.1:1080'],
    ['socks5h://[2001:db8::1]:1080', 'socks5h', '2001:db8::1', 1080, 'socks5h://[2001:db8::1]:1080'],
  ] as const)('%s → %s %s %i', (raw, scheme, host, port, url) => {
    const p = parseProxyUrl(raw);
    expect(p).toMatchObject({ scheme, host, port, url, redacted: url, username: null, hasPassword: false });
  });

  it('keeps credentials in the URL, and only ever shows user:***', () => {
    const p = parseProxyUrl('http://alice:s3cr%40t@proxy.example:8080');
    expect(p.url).toBe('http://alice:s3cr%40t@proxy.example:8080');
    expect(p.redacted).toBe('http://alice:***@proxy.example:8080');
    expect(p).toMatchObject({ username: 'alice', hasPassword: true });
    expect(parseProxyUrl('socks5://bob@h:1').redacted).toBe('socks5://bob@h:1');
    expect(redactProxyUrl('socks5h://u:pw@h:1080')).toBe('socks5h://u:***@h:1080');
    expect(redactProxyUrl(null)).toBeNull();
    expect(redactProxyUrl('garbage with password')).toBe('<invalid>');
  });

  it.each([
    [undefined, 'expected a URL'],
    ['', 'expected a URL'],
    [42, 'expected a URL'],
    ['ftp://h:21', 'scheme ftp is not allowed'],
    ['socks4://h:1080', 'scheme socks4 is not allowed'],
    ['http://h', 'a port is required'],
    ['http://h:80', undefined],
    ['http://h:0', 'the port must be 1-65535'],
    ['http://h:65536', 'not a URL'],
    ['http://h:8080/path', 'a port is required'],
    ['http://h:8080?x=1', 'a port is required'],
    ['http://:pw@h:8080', 'a password needs a user name'],
    ['http://h :8080', 'no spaces'],
    ['http://h:8080\r\nX: y', 'no spaces or control characters'],
    ['h:8080', 'scheme h is not allowed'],
    [`http://${'a'.repeat(2100)}:1`, 'at most 2048'],
  ] as const)('%j → %s', (raw, problem) => {
    if (problem === undefined) {
      expect(parseProxyUrl(raw).port).toBe(80);
      return;
    }
    expect(problemOf(raw)).toContain(problem);
  });

  it('never puts the password in an error', () => {
    for (const raw of ['ftp://u:TopSecret@h:1', 'http://u:TopSecret@h', 'http://u:TopSecret@h:1/x']) {
      try {
        parseProxyUrl(raw);
        throw new Error('accepted');
      } catch (err) {
        expect(JSON.stringify((err as WorkerError).toJSON())).not.toContain('TopSecret');
      }
    }
  });
});
