// ESLint (flat config): typescript-eslint's type-aware rules that the compiler cannot give —
// promises nobody awaits or handles, promises passed where a callback's result is ignored,
// switches that miss a member of a union, and type-only imports written as value imports.
// `npm run lint` runs it after `tsc --noEmit` and scripts/lint.mjs (file size, console, env rules).
import tseslint from 'typescript-eslint';

const TYPED_FILES = ['{src,supervisor,session-host,test,bench}/**/*.{ts,mts,cts}'];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '**/*.d.ts', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  {
    files: TYPED_FILES,
    languageOptions: {
      parser: tseslint.parser,
      // One TypeScript program from tsconfig.json (it includes tests and benches).
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { '@typescript-eslint': tseslint.plugin },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // `void p` is allowed, and each one carries a comment saying why nobody waits for it.
      '@typescript-eslint/no-floating-promises': ['error', { ignoreVoid: true }],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-import-type-side-effects': 'error',
    },
  },
);
