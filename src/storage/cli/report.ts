import type { LegacyImportOutcome, SessionVerification } from '../snapshot-store.js';

/** One progress line per session; pure, so the wording operators read is tested. */
export function verifyLine(index: number, total: number, v: SessionVerification): string {
  const head = `[${index}/${total}] ${v.sessionId}:`;
  const pointer = v.pointer === null ? 'no pointer' : v.pointer.ok ? `pointer -> ${v.pointer.generation}` : `pointer ${v.pointer.code}`;
  if (v.generations.length === 0) {
    return `${head} ${pointer}; no snapshots${v.legacyFiles > 0 ? ` (legacy layout: ${v.legacyFiles} files, not imported yet)` : ''}`;
  }
  const gens = v.generations.map((g) => {
    const mark = g.current ? '*' : '';
    return g.ok ? `gen ${g.generation}${mark} ok (${g.meta?.fileCount} files${g.meta?.keyId ? `, key ${g.meta.keyId}` : ''})` : `gen ${g.generation}${mark} ${g.code}`;
  });
  return `${head} ${pointer}; ${gens.join(', ')}`;
}

/** A session is healthy when its current (or, without a pointer, newest) generation reads. */
export function verificationProblems(v: SessionVerification): number {
  return v.generations.filter((g) => !g.ok).length + (v.pointer !== null && !v.pointer.ok ? 1 : 0);
}

export function importLine(index: number, total: number, sessionId: string, outcome: LegacyImportOutcome): string {
  const head = `[${index}/${total}] ${sessionId}:`;
  switch (outcome.status) {
    case 'imported':
      return `${head} imported ${outcome.meta.fileCount} legacy files as generation ${outcome.meta.generation} (${outcome.meta.bytes} bytes)`;
    case 'has_snapshots':
      return `${head} skipped, already has snapshots (generation ${outcome.generation})`;
    case 'no_legacy':
      return `${head} skipped, no legacy layout (no creds.json)`;
  }
}
