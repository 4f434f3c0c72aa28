/**
 * Turns the arguments of a `console.*` call into one log message that can carry no key bytes.
 * Pure (no I/O), so it is unit-tested alone.
 *
 * Why: libsignal, a Baileys dependency, `console.info`s whole Signal session records ("Closing
 * session:", "Opening session:", "Removing old closed session:") — ratchet private keys, root and
 * chain keys as Buffers. Anything that collects a host's stdout would hold them. The rules:
 * - byte containers (Buffer, typed arrays, ArrayBuffer) become `[N bytes]`, whatever their field;
 * - inside strings, runs that look like encoded key material become `[redacted]`: 32+ hex digits,
 *   8+ space-separated hex pairs (Node's `<Buffer 0a 1b …>` form), and base64/base64url runs of
 *   20+ characters that mix upper and lower case (a random key's base64 always does in
 *   practice; a lower-case file path, a word or a JID does not);
 * - objects are walked to a small depth (cycles and excess become markers), then JSON-encoded.
 */

export const BYTES_MARK = (n: number): string => `[${n} bytes]`;
export const REDACTED = '[redacted]';
const MAX_DEPTH = 4;
const MAX_KEYS = 40;
const MAX_MESSAGE = 4_000;

const HEX_RUN = /[0-9a-fA-F]{32,}/g;
const SPACED_HEX = /[0-9a-fA-F]{2}(?: [0-9a-fA-F]{2}){7,}/g;
const B64_RUN = /[A-Za-z0-9+/_-]{20,}={0,2}/g;

/** Key-like runs inside a string replaced by `[redacted]`. */
export function redactString(s: string): string {
  return s
    .replace(SPACED_HEX, REDACTED)
    .replace(HEX_RUN, REDACTED)
    .replace(B64_RUN, (run) => (/[A-Z]/.test(run) && /[a-z]/.test(run) ? REDACTED : run));
}

function isBytes(v: object): v is ArrayBufferView | ArrayBuffer {
  return ArrayBuffer.isView(v) || v instanceof ArrayBuffer || (typeof SharedArrayBuffer !== 'undefined' && v instanceof SharedArrayBuffer);
}

/** A JSON-safe copy of `value` with every byte container and key-like string replaced. */
export function redactValue(value: unknown, depth = 0, seen: WeakSet<object> = new WeakSet()): unknown {
  if (typeof value === 'string') return redactString(value);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'function') return '[function]';
  if (typeof value === 'symbol') return value.toString();
  if (value === null || typeof value !== 'object') return value;
  if (isBytes(value)) return BYTES_MARK(value.byteLength);
  // { type: 'Buffer', data: [...] } is how a Buffer looks after JSON.stringify (Buffer.toJSON).
  const asJson = value as { type?: unknown; data?: unknown };
  if (asJson.type === 'Buffer' && (Array.isArray(asJson.data) || typeof asJson.data === 'string')) return BYTES_MARK(asJson.data.length);
  if (seen.has(value)) return '[circular]';
  if (depth >= MAX_DEPTH) return '[object]';
  seen.add(value);
  if (value instanceof Error) {
    return { name: value.name, message: redactString(value.message), ...(value.stack ? { stack: redactString(value.stack) } : {}) };
  }
  if (Array.isArray(value)) return value.slice(0, MAX_KEYS).map((v) => redactValue(v, depth + 1, seen));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value).slice(0, MAX_KEYS)) out[redactString(k)] = redactValue(v, depth + 1, seen);
  return out;
}

/** One line for the arguments of a console call (`util.format`-like, without `%` directives). */
export function formatConsoleArgs(args: readonly unknown[]): string {
  const parts = args.map((a) => {
    const r = redactValue(a);
    return typeof r === 'string' ? r : safeJson(r);
  });
  const line = parts.join(' ');
  return line.length > MAX_MESSAGE ? `${line.slice(0, MAX_MESSAGE)}…` : line;
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return '[unserialisable]';
  }
}
