// Types for scripts/lint-rules.mjs (plain JS so `npm run lint` needs no compiler).
export declare const PRODUCTION_DIRS: readonly string[];
export declare const LINTED_DIRS: readonly string[];
export declare const LINTED_EXTENSIONS: readonly string[];
export declare const MAX_LINES_PRODUCTION: number;
export declare const MAX_LINES_TEST: number;
export interface Problem {
  rule: string;
  path: string;
  line: number;
  message: string;
}
export declare function isProduction(path: string): boolean;
export declare function stripLineComments(text: string): string;
export declare function findEnvReads(text: string): string[];
export declare function checkFile(path: string, text: string): Problem[];
