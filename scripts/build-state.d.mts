// Types for scripts/build-state.mjs (plain JS so `npm start` needs no compiler to decide).
export declare const BUILD_SOURCES: readonly string[];
export declare const ENTRY_POINTS: readonly string[];
export declare function staleSource(root: string): string | undefined;
