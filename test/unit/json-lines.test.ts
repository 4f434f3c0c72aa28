import { describe, expect, it } from 'vitest';
import { duplicateKeys, topLevelKeys } from '../support/json-lines.js';

describe('strict JSON log lines', () => {
  it('lists top-level keys only, skipping nested objects, arrays and strings that look like keys', () => {
    const line = JSON.stringify({ a: 1, b: { a: 2, c: [{ d: 3 }] }, e: 'x","a":"y', f: ['g', { h: 1 }] });
    expect(topLevelKeys(line)).toEqual(['a', 'b', 'e', 'f']);
  });

  it('finds a key written twice, as a child logger repeating its parent binding does', () => {
    expect(duplicateKeys('{"level":30,"pid":1,"component":"sessions","component":"spares","pid":2}')).toEqual(['component', 'pid']);
    expect(duplicateKeys('{"level":30,"pid":1,"hostPid":2,"msg":"a \\"pid\\": 3"}')).toEqual([]);
  });
});
