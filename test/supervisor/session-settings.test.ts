import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseSessionSettings, SessionSettingsFile } from '../../supervisor/registry/session-settings.js';

/** DATA_DIR/session-settings.json (issue 19 §2): real files in a temp folder. */
const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'wa-settings-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('session settings file', () => {
  it('saves atomically with mode 0600 and reads it back in a new process view', async () => {
    const dir = tempDir();
    const a = new SessionSettingsFile(dir);
    await a.setProxy('s1', 'http://u:pw@h:1');
    await a.setProxy('s2', 'socks5://h:2');
    await a.setProxy('s2', null);
    const b = new SessionSettingsFile(dir);
    expect(b.proxyOf('s1')).toBe('http://u:pw@h:1');
    expect(b.proxyOf('s2')).toBeUndefined();
    expect(statSync(a.path).mode & 0o777).toBe(0o600);
    await b.forget('s1');
    expect(JSON.parse(readFileSync(a.path, 'utf8')).sessions).toEqual({});
  });

  it('a write that fails changes nothing in memory and says why', async () => {
    const dir = tempDir();
    const f = new SessionSettingsFile(dir);
    await f.setProxy('s1', 'http://h:1');
    // The file's place taken by a non-empty folder: the rename over it fails.
    rmSync(f.path);
    mkdirSync(join(f.path, 'x'), { recursive: true });
    await expect(f.setProxy('s1', 'http://h:2')).rejects.toMatchObject({ code: 'SESSION_SETTINGS_WRITE_FAILED' });
    expect(f.proxyOf('s1')).toBe('http://h:1');
    // The chain goes on after a failure.
    rmSync(f.path, { recursive: true });
    await f.setProxy('s1', 'http://h:3');
    expect(new SessionSettingsFile(dir).proxyOf('s1')).toBe('http://h:3');
  });

  it('a corrupt file stops start-up instead of silently sending sessions direct', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'session-settings.json'), '{not json');
    expect(() => new SessionSettingsFile(dir)).toThrow(expect.objectContaining({ code: 'SESSION_SETTINGS_CORRUPT' }));
  });

  it.each([
    ['{"sessions":[]}', 'no sessions object'],
    ['{"sessions":{"a/b":{"proxy":"http://h:1"}}}', 'invalid session id'],
    ['{"sessions":{"s":{"proxy":"ftp://u:Secr3t@h:1"}}}', 'not a valid proxy URL'],
  ])('refuses %s', (text, why) => {
    let message = '';
    try {
      parseSessionSettings(text);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain(why);
    expect(message).not.toContain('Secr3t');
  });

  it('normalises what it reads and skips entries without a proxy', () => {
    expect([...parseSessionSettings('{"sessions":{"a":{"proxy":" HTTP://h:1/ "},"b":{}}}')]).toEqual([['a', { proxy: 'http://h:1' }]]);
  });
});
