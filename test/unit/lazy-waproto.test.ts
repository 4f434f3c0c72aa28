/**
 * Issue 15: the host bundle builds WAProto's top-level types on first use (scripts/lazy-waproto.mjs).
 * The rewrite must be invisible: the real generated file, rewritten, describes the same types (their
 * statics, nested types, prototypes and enum values) and encodes the same bytes as the original,
 * each in its own process (both would share protobufjs' one global root in one process). And a
 * file of another shape fails the build instead of shipping half rewritten.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs build script without type declarations
import { lazyWaProto } from '../../scripts/lazy-waproto.mjs';

const rewrite = lazyWaProto as (source: string) => { source: string; types: number };
const require = createRequire(import.meta.url);
const ORIGINAL = join(dirname(require.resolve('@whiskeysockets/baileys/package.json')), 'WAProto', 'index.js');
const PROTOBUF = pathToFileURL(createRequire(ORIGINAL).resolve('protobufjs/minimal.js')).href;
const dir = mkdtempSync(join(tmpdir(), 'wa-lazy-proto-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Everything a caller can observe of `proto`, as JSON; plus which types were built before any read. */
const DESCRIBE = `
const file = process.argv[1];
const { proto } = await import(file);
const lazyBefore = Object.keys(proto).filter((k) => typeof Object.getOwnPropertyDescriptor(proto, k).get === 'function').length;
const out = {};
for (const k of Object.keys(proto).sort()) {
  const v = proto[k];
  if (v !== proto[k]) throw new Error(k + ' is a new object on every read');
  out[k] = typeof v === 'function'
    ? { statics: Object.keys(v).sort(), nested: Object.keys(v).filter((n) => typeof v[n] === 'function' && v[n].encode).sort(), prototype: Object.getOwnPropertyNames(v.prototype).sort() }
    : { values: JSON.stringify(v) };
}
const msg = proto.Message.encode(proto.Message.fromObject({ conversation: 'hi', extendedTextMessage: { text: 'x', matchedText: 'y' }, protocolMessage: { type: 'REVOKE' } })).finish();
const info = proto.WebMessageInfo.decode(proto.WebMessageInfo.encode({ key: { id: 'A1', fromMe: true }, messageTimestamp: 1700000000, status: 2 }).finish());
process.stdout.write(JSON.stringify({ lazyBefore, types: Object.keys(out).length, out, msg: Buffer.from(msg).toString('hex'), info: proto.WebMessageInfo.toObject(info, { longs: String, enums: String }) }));
`;

function describeFile(file: string): { lazyBefore: number; types: number; out: unknown; msg: string; info: unknown } {
  const text = execFileSync(process.execPath, ['--input-type=module', '-e', DESCRIBE, pathToFileURL(file).href], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return JSON.parse(text);
}

describe('WAProto built on first use (issue 15)', () => {
  it('the rewritten module describes the same types and encodes the same bytes as the original', () => {
    const source = readFileSync(ORIGINAL, 'utf8');
    const { source: lazy, types } = rewrite(source);
    // Resolvable from the temp folder: protobufjs by its absolute URL.
    const file = join(dir, 'waproto-lazy.mjs');
    writeFileSync(file, lazy.replace('import $protobuf from "protobufjs/minimal.js";', `import $protobuf from ${JSON.stringify(PROTOBUF)};`));

    const before = describeFile(ORIGINAL);
    const after = describeFile(file);
    expect(types).toBeGreaterThan(100);
    expect(after.types).toBe(types);
    expect(before.lazyBefore).toBe(0);
    expect(after.lazyBefore).toBe(types); // nothing was built by importing it
    expect(after.out).toEqual(before.out);
    expect(after.msg).toBe(before.msg);
    expect(after.info).toEqual(before.info);
  });

  it('a file of another shape is refused, not half rewritten', () => {
    const source = readFileSync(ORIGINAL, 'utf8');
    expect(() => rewrite(source.replace('    })();\n', '    }());\n'))).toThrow(/opened and .* closed/);
    expect(() => rewrite(source.replace('export const proto = $root.proto', 'export const proto = $root.protos'))).toThrow(/not where it was/);
    expect(() => rewrite('export const proto = $root.proto = (() => {\n    const proto = {};\n    return proto;\n})();\n')).toThrow(/0 top-level types/);
  });
});
