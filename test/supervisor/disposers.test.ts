/** The composition root's one teardown (supervisor/disposers.ts): pure, no processes. */
import { describe, expect, it } from 'vitest';
import { Disposers } from '../../supervisor/disposers.js';

describe('Disposers', () => {
  it('disposes in reverse order of registration, waiting for each step', async () => {
    const order: string[] = [];
    const d = new Disposers(() => undefined);
    d.defer('first', () => order.push('first'));
    d.defer('second', async () => {
      await new Promise((r) => setTimeout(r, 20));
      order.push('second');
    });
    d.defer('third', () => order.push('third'));
    await d.dispose();
    expect(order).toEqual(['third', 'second', 'first']);
  });

  it('runs every step when one fails, reports each failure by name and rejects with the first', async () => {
    const order: string[] = [];
    const reported: string[] = [];
    const d = new Disposers((name) => reported.push(name));
    d.defer('pool', () => order.push('pool'));
    d.defer('stuck', () => Promise.reject(new Error('stuck')));
    d.defer('broken', () => {
      throw new Error('broken');
    });
    await expect(d.dispose()).rejects.toThrow('broken');
    expect(order).toEqual(['pool']);
    expect(reported).toEqual(['broken', 'stuck']);
  });

  it('is idempotent: late callers get the same promise and no step runs twice', async () => {
    let runs = 0;
    const d = new Disposers(() => undefined);
    d.defer('once', () => runs++);
    const a = d.dispose();
    expect(d.dispose()).toBe(a);
    await a;
    expect(runs).toBe(1);
    expect(() => d.defer('late', () => undefined)).toThrow(/already disposed/);
  });
});
