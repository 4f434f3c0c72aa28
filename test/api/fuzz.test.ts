/**
 * More than a thousand malformed requests over real HTTP against a real supervisor: bad ids
 * (`../x` and friends), wrong types, unknown fields, bad JSON, huge bodies, wrong content types,
 * missing or wrong tokens, unknown routes and methods. Every answer is a 4xx with the expected
 * code in the error envelope — never a 5xx — and nothing changed: no session, no folder under
 * DATA_DIR/sessions, no stored object, no registry file, no host forked.
 */
import { readFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureHost } from '../supervisor/support/build.js';
import { entries, startApiWorker, TOKEN, type ApiWorker } from './support/api.js';
import { fuzzCases, type FuzzCase } from './support/fuzz-cases.js';

let w: ApiWorker;
let journalDir: string;
let journal: string;

beforeAll(async () => {
  // A forked fixture host would write here: the proof that no host started.
  journalDir = mkdtempSync(join(tmpdir(), 'wa-fuzz-journal-'));
  journal = join(journalDir, 'journal.ndjson');
  process.env.FIXTURE_JOURNAL = journal;
  w = await startApiWorker({ WORKER_AUTH_TOKEN: TOKEN, LOG_LEVEL: 'silent' }, fixtureHost('good'));
});
afterAll(async () => {
  await w?.close();
  rmSync(journalDir, { recursive: true, force: true });
});

interface Outcome {
  c: FuzzCase;
  status: number;
  code: string | undefined;
  envelope: boolean;
}

async function send(c: FuzzCase): Promise<Outcome> {
  const headers: Record<string, string> = {};
  const auth = c.auth === undefined ? `Bearer ${TOKEN}` : c.auth;
  if (auth !== null) headers.authorization = auth;
  const body = c.raw !== undefined ? c.raw : c.body !== undefined ? JSON.stringify(c.body) : undefined;
  if (body !== undefined) headers['content-type'] = c.contentType ?? 'application/json';
  else if (c.contentType) headers['content-type'] = c.contentType;
  const res = await fetch(`${w.sup.url}${c.path}`, { method: c.method, headers, body, signal: AbortSignal.timeout(20_000) });
  const text = await res.text();
  let parsed: any;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const envelope = parsed?.success === false && typeof parsed?.timestamp === 'string' && typeof parsed?.error?.code === 'string' && typeof parsed?.error?.message === 'string';
  return { c, status: res.status, code: parsed?.error?.code, envelope };
}

describe('fuzz: malformed requests', () => {
  it('are all refused with the right 4xx and code, and change nothing', async () => {
    const cases = fuzzCases();
    expect(cases.length).toBeGreaterThanOrEqual(1000);
    const outcomes: Outcome[] = [];
    const queue = [...cases];
    // A few connections at once, like a real client pool.
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (let c = queue.shift(); c !== undefined; c = queue.shift()) outcomes.push(await send(c));
      }),
    );
    expect(outcomes).toHaveLength(cases.length);

    const serverErrors = outcomes.filter((o) => o.status >= 500);
    expect(serverErrors.map((o) => `${o.c.method} ${o.c.path.slice(0, 80)} (${o.c.name}) → ${o.status} ${o.code}`)).toEqual([]);
    const wrong = outcomes.filter((o) => !o.envelope || !o.c.expect.some(([status, code]) => status === o.status && code === o.code));
    expect(wrong.map((o) => `${o.c.method} ${o.c.path.slice(0, 80)} (${o.c.name}) → ${o.status} ${o.code ?? '(no envelope)'}; expected ${JSON.stringify(o.c.expect)}`)).toEqual([]);
    const byStatus = new Map<number, number>();
    for (const o of outcomes) byStatus.set(o.status, (byStatus.get(o.status) ?? 0) + 1);
    // Every family of refusal was exercised.
    for (const status of [400, 401, 404, 413, 414, 415]) expect(byStatus.get(status) ?? 0, `answers with ${status}`).toBeGreaterThan(0);

    // Nothing changed.
    expect(w.sup.sessions.registry.size).toBe(0);
    expect(entries(join(w.dataDir, 'sessions'))).toEqual([]);
    expect(entries(join(w.dataDir, 'storage', 'sessions'))).toEqual([]);
    expect(existsSync(join(w.dataDir, 'registry.json'))).toBe(false);
    expect(existsSync(journal) ? readFileSync(journal, 'utf8') : '').toBe('');
    expect(w.sup.sessions.registry.hostPids().size).toBe(0);
    // And the worker still works: the same request with the right token and a valid body creates.
    const res = await fetch(`${w.sup.url}/api/sessions`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ sessionId: 'fz1' }) });
    expect(res.status).toBe(201);
    expect(w.sup.sessions.registry.size).toBe(1);
  }, 120_000);
});
