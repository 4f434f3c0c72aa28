/**
 * The short chaos run inside `npm test` (issue 13 §8; `npm run chaos` is the long one): six
 * sessions, about 50 s of random host SIGKILLs, one supervisor SIGKILL and restart inside a 12 s
 * S3 outage, a 15 s backend outage and messages both ways. Every invariant of the long run holds.
 */
import { describe, expect, it } from 'vitest';
import { runChaos } from './chaos/run.js';
import { chaosPlan, DEFAULT_CHAOS } from './chaos/plan.js';

const SEED = Number(process.env.E2E_CHAOS_SEED ?? Math.floor(Math.random() * 1_000_000));

describe('chaos (short)', () => {
  it('the plan is deterministic for a seed and holds what it promises', () => {
    const o = { ...DEFAULT_CHAOS, seed: 42 };
    expect(chaosPlan(o)).toEqual(chaosPlan(o));
    expect(chaosPlan({ ...o, seed: 43 })).not.toEqual(chaosPlan(o));
    const plan = chaosPlan(o);
    expect(plan.filter((a) => a.kind === 'host-kill').length).toBeGreaterThanOrEqual(100);
    expect(plan.filter((a) => a.kind === 'supervisor-kill')).toHaveLength(3);
    const down = plan.find((a) => a.kind === 's3-down')!.at;
    const up = plan.find((a) => a.kind === 's3-up')!.at;
    expect(up - down).toBe(20_000);
    // The S3 outage spans a supervisor start.
    expect(plan.some((a) => a.kind === 'supervisor-start' && a.at > down && a.at < up)).toBe(true);
    const bDown = plan.find((a) => a.kind === 'backend-down')!.at;
    expect(plan.find((a) => a.kind === 'backend-up')!.at - bDown).toBe(60_000);
    expect(plan.every((a, i) => i === 0 || a.at >= plan[i - 1]!.at)).toBe(true);
  });

  it(`keeps every promise under kills and outages (seed ${SEED}, replay with E2E_CHAOS_SEED=${SEED})`, async () => {
    const report = await runChaos(
      { seed: SEED, sessions: 6, durationMs: 50_000, hostKills: 30, supervisorKills: 1, supervisorDownMs: 2_000, s3OutageMs: 12_000, backendOutageMs: 15_000, messageEveryMs: 2_000 },
      (line) => console.log(`[chaos] ${line}`),
    );
    console.log(`[chaos] ${JSON.stringify({ counts: report.counts, messagesIn: report.messagesIn, messagesOut: report.messagesOut, generations: report.generations })}`);
    expect(report.violations).toEqual([]);
    expect(report.counts.hostKills).toBeGreaterThan(10);
    expect(report.counts.supervisorKills).toBe(1);
    expect(report.qrRoundsAfterPairing).toBe(0);
    expect(report.messagesIn.missing).toBe(0);
    expect(report.generations.unreadable).toBe(0);
    expect(report.generations.generationsReadable).toBeGreaterThan(0);
  }, 600_000);
});
