/**
 * Pure decisions about which generations to read and which to delete.
 */

/** Generations kept after a publish: the newest and two to fall back to. */
export const KEEP_GENERATIONS = 3;

/**
 * Order in which a reader tries generations. With a pointer: the one it names, then older stored
 * ones (newer unpublished objects are leftovers of a crash between the two writes, never used).
 * Without one (lost pointer, or a crash before the very first pointer): every stored generation,
 * newest first — each object verifies itself, so a complete one is safe to use.
 */
export function readOrder(pointerGeneration: number | null, stored: readonly number[]): number[] {
  const desc = [...new Set(stored)].sort((a, b) => b - a);
  if (pointerGeneration === null) return desc;
  return [pointerGeneration, ...desc.filter((g) => g < pointerGeneration)];
}

/**
 * Generations to delete after `published` became current: everything older than the `keep`
 * newest at or below it. Generations above it are left alone (another writer may be publishing).
 */
export function generationsToPrune(stored: readonly number[], published: number, keep = KEEP_GENERATIONS): number[] {
  const candidates = [...new Set([...stored, published])].filter((g) => g <= published).sort((a, b) => b - a);
  return candidates.slice(keep).sort((a, b) => a - b);
}
