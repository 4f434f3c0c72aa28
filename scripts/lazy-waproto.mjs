/**
 * Pure: Baileys' generated protobuf module (`WAProto/index.js`, 4.4 MB) rewritten so that each of
 * its top-level types is built on first use instead of all at import (issue 15). A session host
 * imports all ~200 of them and uses a few dozen; building the rest cost every host CPU at boot and
 * heap for its life (bench/README.md).
 *
 * The file is generated code with one fixed shape per top-level type, at four spaces:
 *
 *     proto.X = (function() {        →    __waLazy(proto, "X", function() {
 *         …                                   …
 *     })();                          →    });
 *
 * `__waLazy` defines an enumerable getter that builds the type once and replaces itself with a
 * plain data property, so `proto.X` is the same object on every read and `Object.keys(proto)`
 * lists every type as before. Types refer to each other only inside their methods
 * (`$root.proto.Y`), so the order they are built in does not matter. Nested types (eight spaces)
 * are built with their parent, unchanged. A source that does not have this shape throws: the build
 * fails rather than ship a half-rewritten module.
 */
const OPEN = /^ {4}proto\.([A-Za-z0-9_$]+) = \(function\(\) \{$/gm;
const CLOSE = /^ {4}\}\)\(\);$/gm;
const ANCHOR = 'export const proto = $root.proto = (() => {';
/** Fewer than this many top-level types means the generated file changed shape. */
const MIN_TYPES = 100;

const HELPER = `function __waLazy(obj, name, build) {
    const define = (value) => Object.defineProperty(obj, name, { value, writable: true, configurable: true, enumerable: true });
    Object.defineProperty(obj, name, {
        configurable: true,
        enumerable: true,
        get() { const value = build(); define(value); return value; },
        set(value) { define(value); },
    });
}
`;

/** Matches the Baileys file this applies to, for an esbuild onLoad filter. */
export const WAPROTO_FILE = /[\\/]@whiskeysockets[\\/]baileys[\\/]WAProto[\\/]index\.js$/;

/** @param {string} source @returns {{ source: string, types: number }} */
export function lazyWaProto(source) {
  const opens = [...source.matchAll(OPEN)].length;
  const closes = [...source.matchAll(CLOSE)].length;
  if (!source.includes(ANCHOR)) throw new Error('WAProto: the `export const proto` line is not where it was; not rewritten');
  if (opens < MIN_TYPES || opens !== closes) throw new Error(`WAProto: ${opens} top-level types opened and ${closes} closed; not rewritten`);
  const rewritten = source
    .replace(OPEN, (_, name) => `    __waLazy(proto, ${JSON.stringify(name)}, function() {`)
    .replace(CLOSE, '    });')
    .replace(ANCHOR, `${HELPER}${ANCHOR}`);
  return { source: rewritten, types: opens };
}
