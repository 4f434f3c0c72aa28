import type { Head } from './types.js';

/**
 * Pure rules about generations of one session across pairings (design.md §7). A generation is
 * compared only with generations of the same lineage; a lineage that is not known (objects and
 * pointers written before lineages existed) falls back to comparing generations alone.
 */

export type Descent =
  | { ok: true }
  | { ok: false; code: 'STORAGE_STALE_GENERATION' | 'STORAGE_FOREIGN_LINEAGE'; reason: string };

/**
 * May a state of `lineage` at `generation` become the head over `head`? Only when it descends from
 * it: the same pairing, not behind it. Another pairing's state never replaces the head, whatever
 * its generation (generations restart after a re-pair, so a dead pairing often has the higher one).
 */
export function descendsFrom(head: Head | null, generation: number, lineage: string | null): Descent {
  if (!head) return { ok: true };
  if (head.lineage !== null && lineage !== null && head.lineage !== lineage) {
    return { ok: false, code: 'STORAGE_FOREIGN_LINEAGE', reason: `the published generation ${head.generation} belongs to another pairing (lineage ${head.lineage}, this state is ${lineage})` };
  }
  if (generation < head.generation) {
    return { ok: false, code: 'STORAGE_STALE_GENERATION', reason: `generation ${head.generation} is already published` };
  }
  return { ok: true };
}

/**
 * The head a reader should trust. The pointer is a lower bound: a pointer PUT delivered late (a
 * slow front still holding it after the writer gave up and published a newer one) can name an
 * older generation than complete objects of its own pairing above it. `above` are the stored
 * generations newer than the pointer's with their lineages, newest first.
 */
export function trustedHead(pointer: Head, above: readonly Head[]): Head {
  if (pointer.lineage === null) return pointer;
  return above.find((g) => g.generation > pointer.generation && g.lineage === pointer.lineage) ?? pointer;
}
