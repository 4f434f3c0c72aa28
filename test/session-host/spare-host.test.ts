/**
 * A spare session host (issue 15, HOST_SPARES) as a real process: forked with `--spare`, it loads
 * its modules, says `spare-ready` under the title `wa-host-spare`, and waits for the `init` that
 * names its one session; then it is that session's host, titled `wa-host:<id>` in full even for
 * the longest ids. Without a supervisor (IPC channel closed) it exits on its own.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../../src/exit-codes.js';
import type { ReadyMessage, SpareReadyMessage } from '../../src/ipc/protocol.js';
import { useDeadEndHosts } from '../support/dead-end-hosts.js';
import type { HostHandle } from '../support/host-harness.js';

const dead = useDeadEndHosts('wa-spare-');

async function spare(sessionId: string): Promise<HostHandle> {
  return dead.start({ sessionId, dataDir: await dead.tempDir(), spare: true, sendInit: false });
}

const title = (pid: number): string => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0]!.trim();

describe('spare session host', () => {
  it('waits as wa-host-spare, then serves the session its init names, titled wa-host:<id> in full', async () => {
    // 160 characters: the longest id the worker accepts (design.md §7).
    const longId = `u1-${'x'.repeat(149)}-1234567`;
    expect(longId).toHaveLength(160);
    const h = await spare(longId);
    const announced = await h.waitFor((m): m is SpareReadyMessage => m.type === 'spare-ready', 30_000);
    expect(announced.pid).toBe(h.pid);
    expect(announced.bootCpuMs).toBeGreaterThan(0);
    expect(title(h.pid)).toBe('wa-host-spare');
    h.sendInit();
    const ready = await h.waitFor((m): m is ReadyMessage => m.type === 'ready', 30_000);
    expect(ready).toMatchObject({ pid: h.pid, restoredFrom: 'none', spare: true });
    expect(title(h.pid)).toBe(`wa-host:${longId}`);
    const res = await h.request({ type: 'stop', reason: 'test' }, 20_000);
    expect(res.ok).toBe(true);
    expect(await h.waitExit(20_000)).toMatchObject({ code: EXIT.STOPPED });
  }, 60_000);

  it('exits on its own when the supervisor goes away before any init (no orphan spare)', async () => {
    const h = await spare('never-used');
    await h.waitFor((m) => m.type === 'spare-ready', 30_000);
    h.child.disconnect();
    expect(await h.waitExit(10_000)).toMatchObject({ code: EXIT.ORPHANED });
  }, 60_000);

  it('refuses an init whose session id is not valid (exit 14), before touching any path', async () => {
    const h = await spare('../escape');
    await h.waitFor((m) => m.type === 'spare-ready', 30_000);
    h.child.send({ ...h.initMessage(), sessionId: '../escape' });
    const failed = await h.waitFor((m) => m.type === 'init-failed', 10_000);
    expect(failed).toMatchObject({ error: { code: 'INIT_INVALID' } });
    expect(await h.waitExit(10_000)).toMatchObject({ code: EXIT.INIT_FAILED });
  }, 60_000);
});
