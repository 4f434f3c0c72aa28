import { describe, expect, it } from 'vitest';
import { hostEnvironment } from '../../supervisor/host/host-settings.js';

describe('hostEnvironment', () => {
  it('adds GLIBC_TUNABLES and NODE_COMPILE_CACHE to the parent environment', () => {
    expect(hostEnvironment({ compileCacheDir: '/data/compile-cache', glibcTunables: 'glibc.malloc.mmap_threshold=32768' }, { PATH: '/bin' })).toEqual({
      env: { PATH: '/bin', NODE_COMPILE_CACHE: '/data/compile-cache', GLIBC_TUNABLES: 'glibc.malloc.mmap_threshold=32768' },
    });
  });

  it("leaves an operator's own GLIBC_TUNABLES and NODE_COMPILE_CACHE alone", () => {
    const parent = { GLIBC_TUNABLES: 'glibc.malloc.trim_threshold=131072', NODE_COMPILE_CACHE: '/mine' };
    expect(hostEnvironment({ compileCacheDir: '/data/cc', glibcTunables: 'glibc.malloc.mmap_threshold=32768' }, parent)).toEqual({ env: parent });
  });

  it('adds nothing (hosts inherit as is) when neither is wanted', () => {
    expect(hostEnvironment({ glibcTunables: undefined }, { PATH: '/bin' })).toEqual({});
    expect(hostEnvironment({ compileCacheDir: '/data/cc' }, {})).toEqual({ env: { NODE_COMPILE_CACHE: '/data/cc' } });
  });
});
