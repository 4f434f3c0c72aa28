/** Types of scripts/patch-baileys.mjs (the postinstall that adds the inbox hook to Baileys). */
export const PINNED_VERSION: string;
export const MARKER: string;
export const TARGET: string;
export function patchSource(source: string): { source: string; changed: boolean };
