import { describe, expect, it } from 'vitest';
import { checkFile } from '../../scripts/lint-rules.mjs';

const rules = (path: string, text: string): string[] => checkFile(path, text).map((p) => `${p.rule}:${p.line}`);

describe('lint rules', () => {
  it('flags console.* in production code, but not in a CLI, a test or a comment', () => {
    expect(rules('supervisor/x.ts', 'const a = 1;\nconsole.log(a);\n')).toEqual(['no-console:2']);
    expect(rules('src/storage/cli/main.ts', 'console.log(1);\n')).toEqual([]);
    expect(rules('test/x.test.ts', 'console.log(1);\n')).toEqual([]);
    expect(rules('src/x.ts', '// console.log(1) is banned\n')).toEqual([]);
  });

  it('flags named env reads outside src/config, but not passing process.env whole', () => {
    expect(rules('session-host/x.ts', 'const p = process.env.PORT;\n')).toEqual(['env-through-config:1']);
    expect(rules('supervisor/x.ts', "const { A, B } = process.env;\n")).toEqual(['env-through-config:1', 'env-through-config:1']);
    expect(rules('src/config/load.ts', 'const p = process.env.PORT;\n')).toEqual([]);
    expect(rules('supervisor/fork.ts', 'fork(file, [], { env: process.env });\n')).toEqual([]);
    expect(rules('test/x.test.ts', 'const k = process.env.WA_SIM_ROOT_PUBLIC_KEY;\n')).toEqual([]);
  });

  it('limits file length: 400 lines in production code, 600 in tests', () => {
    const lines = (n: number): string => 'x;\n'.repeat(n);
    expect(rules('src/a.ts', lines(400))).toEqual([]);
    expect(rules('src/a.ts', lines(401))).toEqual(['max-lines:401']);
    expect(rules('test/a.ts', lines(600))).toEqual([]);
    expect(rules('test/a.ts', lines(601))).toEqual(['max-lines:601']);
  });

  it('flags .only and debugger', () => {
    // Built at run time so this file does not trip the rule itself.
    const only = (fn: string): string => `${fn}.${'only'}('x', () => {});\n`;
    expect(rules('test/a.test.ts', only('it'))).toEqual(['no-only:1']);
    expect(rules('test/a.test.ts', only('describe'))).toEqual(['no-only:1']);
    expect(rules('src/a.ts', 'function f() {\n  debugger;\n}\n')).toEqual(['no-debugger:2']);
    expect(rules('src/a.ts', "const s = 'the debugger';\n")).toEqual([]);
  });
});
